/**
 * The few parts of Caliper's worker API the workload modules use (@hyperledger/caliper-core 0.7:
 * a workload module is an object with initializeWorkloadModule, submitTransaction and
 * cleanupWorkloadModule, made by the module's exported createWorkloadModule; its connector's
 * sendRequests takes the fabric connector's request settings). Declared here so that the modules,
 * compiled with the project, need no Caliper package at build time.
 */

/** Request settings of Caliper's fabric peer-gateway connector. */
export interface FabricRequest {
  contractId: string;
  contractFunction: string;
  contractArguments: string[];
  invokerMspId: string;
  invokerIdentity: string;
  channel: string;
  /** transient data, key to value (the connector sends each value's bytes) */
  transientMap?: Record<string, string>;
  /** the connector passes it to fabric-gateway as endorsingOrganizations */
  targetOrganizations?: string[];
  readOnly?: boolean;
}

/** Caliper's TxStatus, as far as used here. */
export interface TxStatus {
  GetID(): string;
  GetStatus(): string;
  IsCommitted(): boolean;
  GetResult(): Uint8Array | string | undefined;
}

export interface SutAdapter {
  sendRequests(request: FabricRequest): Promise<TxStatus>;
}

export interface WorkloadModule {
  initializeWorkloadModule(
    workerIndex: number,
    totalWorkers: number,
    roundIndex: number,
    roundArguments: unknown,
    sutAdapter: SutAdapter,
    sutContext: unknown,
  ): Promise<void>;
  submitTransaction(): Promise<void>;
  cleanupWorkloadModule(): Promise<void>;
}
