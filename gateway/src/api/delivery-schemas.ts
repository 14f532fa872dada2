import { Type } from '@sinclair/typebox';
import { pageQueryProps } from './paging';
import { ProblemSchema, RoundParam } from './schemas';

const S = Type.String();

const ReadingSchema = Type.Object(
  {
    batchId: Type.String({ description: 'the batch (16 hex chars) that carried the bid' }),
    id: Type.String({ description: "the utility's own bid id in that batch" }),
    side: Type.Union([Type.Literal('buy'), Type.Literal('sell')]),
    quantity: Type.String({ description: 'metered kWh, at most 3 decimals' }),
  },
  { additionalProperties: false },
);

/** For the description only: the handler validates (so JSON and CSV are refused alike, 422). */
export const ReadingsBody = Type.Object(
  { readings: Type.Array(ReadingSchema, { minItems: 1 }) },
  { additionalProperties: false },
);

const ReadingCommitmentSchema = Type.Object({
  roundId: S,
  utility: S,
  readingBatchId: S,
  count: Type.Integer(),
  digest: S,
  submittedAt: S,
});

export const ReadingsReceiptSchema = Type.Object({
  roundId: S,
  utility: S,
  accepted: Type.Integer({ description: 'readings of this request, all committed' }),
  batches: Type.Array(ReadingCommitmentSchema, { description: 'one per reading batch committed' }),
});

const Instant = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,3})?Z$',
  maxLength: 40,
  description: 'RFC 3339 UTC instant',
});

const AccountParam = Type.Object(
  { utility: Type.String({ pattern: '^[A-Za-z0-9.-]{1,40}$', description: "an MSP id, or 'operator'" }) },
  { additionalProperties: false },
);

const PeriodProps = {
  from: Type.Optional({ ...Instant, description: 'rounds whose slot is at or after this instant' }),
  to: Type.Optional({ ...Instant, description: 'rounds whose slot is before this instant' }),
};

const AccountQuery = Type.Object(
  {
    ...PeriodProps,
    ...pageQueryProps('entries', 100),
  },
  { additionalProperties: false },
);

const BillsQuery = Type.Object(
  { ...PeriodProps, format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])) },
  { additionalProperties: false },
);

/** Entries carry money (7 decimals, signed from the holder's side) and kWh; every field kept. */
const EntrySchema = Type.Object(
  { roundId: S, slot: S, settledAt: S, settledTx: S },
  { additionalProperties: true, description: 'money (7 decimals, signed from the holder) and kWh' },
);

const AccountSchema = Type.Object({
  kind: Type.Union([Type.Literal('utility'), Type.Literal('operator')]),
  utility: S,
  rounds: Type.Integer({ description: 'settled rounds in the whole account' }),
  totals: Type.Object({}, { additionalProperties: true, description: 'the whole account' }),
  entries: Type.Array(EntrySchema, { description: 'this page, in (slot, roundId) order' }),
  matching: Type.Integer({ description: 'entries in the period' }),
  nextCursor: Type.Optional(S),
});

const BillSchema = Type.Object({
  prosumer: Type.String({ description: "the utility's bid id" }),
  rounds: Type.Integer(),
  missingReadings: Type.Integer(),
  bought: S,
  sold: S,
  consumed: S,
  delivered: S,
  trade: S,
  fees: S,
  imbalance: S,
  net: S,
});

const BillsSchema = Type.Object({
  utility: S,
  from: Type.Optional(S),
  to: Type.Optional(S),
  rounds: Type.Array(S, { description: 'the settled rounds billed' }),
  bills: Type.Array(BillSchema),
});

const PositionSchema = Type.Object({ roundId: S, utility: S, energyNet: S, moneyNet: S });

const LineSchema = Type.Object({}, { additionalProperties: true });

const StatementSchema = Type.Object({
  roundId: S,
  utility: S,
  slot: S,
  settledAt: S,
  settledTx: S,
  lines: Type.Array(LineSchema),
  statement: Type.Object({}, { additionalProperties: true }),
});

const errors = {
  400: ProblemSchema,
  403: ProblemSchema,
  404: ProblemSchema,
  409: ProblemSchema,
  422: ProblemSchema,
};

export const submitReadingsRoute = {
  summary:
    'Submit meter readings (utility), JSON {readings} or text/csv (header batchId,id,side,quantity); 201 once every reading batch is committed',
  tags: ['delivery'],
  params: RoundParam,
  body: ReadingsBody,
  response: { 201: ReadingsReceiptSchema, ...errors },
};

export const accountRoute = {
  summary:
    "A running account and its statement lines, paged and filtered by slot (own, or any for the operator; 'operator' = its fees and imbalance)",
  tags: ['delivery'],
  params: AccountParam,
  querystring: AccountQuery,
  response: { 200: AccountSchema, 400: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema },
};

export const billsRoute = {
  summary:
    'Per-prosumer bills over the settled rounds of a period, JSON or CSV (Accept: text/csv or ?format=csv)',
  tags: ['delivery'],
  params: AccountParam,
  querystring: BillsQuery,
  response: { 200: BillsSchema, 400: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema },
};

const MoneyPair = Type.Object({ short: S, long: S });

/** The public record of a settled round (chaincode DeliverySummary): nothing private in it. */
const DeliverySummarySchema = Type.Object({
  roundId: S,
  slot: S,
  settlementDigest: S,
  price: S,
  imbalancePrices: MoneyPair,
  params: Type.Object({ shortPremium: S, longDiscount: S }),
  readingBatchCount: Type.Integer(),
  readingCount: Type.Integer(),
  positions: Type.Array(PositionSchema),
  operator: Type.Object({
    shortEnergy: S,
    longEnergy: S,
    fees: S,
    imbalanceCharges: S,
    imbalanceCredits: S,
    imbalance: S,
    net: S,
  }),
  settledAt: S,
  settledTx: S,
});

export const deliverySummaryRoute = {
  summary:
    "A settled round's public delivery record: imbalance prices, reading counts, every utility's net position, the operator's fees and imbalance",
  tags: ['delivery'],
  params: RoundParam,
  response: { 200: DeliverySummarySchema, 404: ProblemSchema },
};

export const deliveryPositionsRoute = {
  summary: 'Net delivery positions of a settled round (public)',
  tags: ['delivery'],
  params: RoundParam,
  response: { 200: Type.Array(PositionSchema), 404: ProblemSchema },
};

const StatementQuery = Type.Object(
  { utility: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9.-]{1,40}$' })) },
  { additionalProperties: false },
);

export const statementRoute = {
  summary: "A settled round's delivery statement: own (utility) or a named utility's (operator, ?utility=)",
  tags: ['delivery'],
  params: RoundParam,
  querystring: StatementQuery,
  response: { 200: StatementSchema, 400: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema },
};
