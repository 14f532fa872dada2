import { Type, type TArray, type TObject } from '@sinclair/typebox';
import { pageQueryProps } from './paging';

/** Decimal strings (MECHANISM §1): no sign, no exponent, at most `d` decimals. */
const decimal = (d: number, description: string) =>
  Type.String({
    pattern: `^[0-9]{1,16}(\\.[0-9]{1,${d}})?$`,
    maxLength: 24,
    description: `${description}; decimal string with at most ${d} decimals`,
  });

export const Id = Type.String({
  pattern: '^[A-Za-z0-9._:-]{1,64}$',
  minLength: 1,
  maxLength: 64,
  description: '1-64 chars of A-Za-z0-9._:-',
});

export const Price = decimal(4, 'currency per kWh, 0..1000000');
export const Quantity = decimal(3, 'kWh, >0 and ≤ 1000000');
export const Alpha = decimal(
  4,
  'buyer price sensitivity, currency per kWh², >0 and ≤ 1000000 (buy bids only)',
);

export const BidSchema = Type.Object(
  {
    id: Id,
    side: Type.Union([Type.Literal('buy'), Type.Literal('sell')]),
    price: Price,
    quantity: Quantity,
    alpha: Type.Optional(Alpha),
  },
  { additionalProperties: false },
);

/** The body of a bid request: 1..maxBids bids. */
export type BidsBody = TObject<{ bids: TArray<typeof BidSchema> }>;

export const bidsBody = (maxBids: number): BidsBody =>
  Type.Object(
    { bids: Type.Array(BidSchema, { minItems: 1, maxItems: maxBids }) },
    { additionalProperties: false },
  );

export const RoundParamsSchema = Type.Object(
  {
    profile: Type.Optional(Type.Union([Type.Literal('default'), Type.Literal('doan2021')])),
    alpha: Type.Optional(Alpha),
    gridStep: Type.Optional(decimal(4, 'doan2021 price grid step')),
    serviceFee: Type.Optional(decimal(4, 'fee per kWh paid by buyers to the operator')),
  },
  { additionalProperties: false },
);

const Instant = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$',
  maxLength: 40,
  description: 'RFC 3339 UTC instant, e.g. 2026-01-01T12:00:00Z',
});

/** Delivery parameters of a round (docs/settlement.md §7.1); the chaincode checks the ranges. */
export const DeliveryParamsSchema = Type.Object(
  {
    shortPremium: Type.Optional(decimal(4, 'k₊: a short position pays p × (1 + k₊), in [0, 10]')),
    longDiscount: Type.Optional(decimal(4, 'k₋: a long position is paid p × (1 − k₋), in [0, 1]')),
    slotSeconds: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 86_400, description: 'delivery slot length' }),
    ),
    gateClosureSeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 86_400,
        description: 'meter readings close this long after the slot ends',
      }),
    ),
  },
  { additionalProperties: false },
);

export const OpenRoundBody = Type.Object(
  {
    id: Id,
    slot: Instant,
    closesAt: Instant,
    params: Type.Optional(RoundParamsSchema),
    delivery: Type.Optional(DeliveryParamsSchema),
  },
  { additionalProperties: false },
);

export const RoundParam = Type.Object({ roundId: Id }, { additionalProperties: false });

export const RoundBidParam = Type.Object({ roundId: Id, bidId: Id }, { additionalProperties: false });

export const UtilityQuery = Type.Object(
  { utility: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9.-]{1,40}$' })) },
  { additionalProperties: false },
);

export const ListQuery = Type.Object(
  {
    status: Type.Optional(
      Type.Union([Type.Literal('OPEN'), Type.Literal('CLOSED'), Type.Literal('CLEARED')]),
    ),
  },
  { additionalProperties: false },
);

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          path: Type.Optional(Type.String()),
          field: Type.Optional(Type.String()),
          index: Type.Optional(Type.Integer()),
          id: Type.Optional(Type.String()),
          reason: Type.String(),
        }),
      ),
    ),
  },
  { additionalProperties: true },
);

export const BidReceiptSchema = Type.Object({
  roundId: Type.String(),
  utility: Type.String(),
  batchId: Type.String({ description: 'transaction id of the committed SubmitBids batch' }),
  accepted: Type.Integer({ description: 'bids of this request, all durable' }),
  batchBidCount: Type.Integer(),
  batchHash: Type.String(),
});

// ---- route schemas (OpenAPI summary and tags, request and response shapes) -------------------------

/** Probes, metrics and the index: not in the OpenAPI description. */
export const hiddenRoute = { hide: true };

export const listRoundsRoute = { summary: 'List rounds', tags: ['rounds'], querystring: ListQuery };

export const openRoundRoute = { summary: 'Open a round (operator)', tags: ['operator'], body: OpenRoundBody };

export const closeRoundRoute = {
  summary: 'Close a round after its closesAt (operator); 409 TOO_EARLY before',
  tags: ['operator'],
  params: RoundParam,
};

export const getRoundRoute = {
  summary: 'A round: status, parameters and, once cleared, the public result',
  tags: ['rounds'],
  params: RoundParam,
};

export interface SubmitBidsRoute {
  summary: string;
  tags: string[];
  params: typeof RoundParam;
  body: BidsBody;
  response: { 201: typeof BidReceiptSchema };
}

export const submitBidsRoute = (maxBids: number): SubmitBidsRoute => ({
  summary: 'Submit sealed bids (utility); 201 only once the batch carrying them is committed',
  tags: ['bids'],
  params: RoundParam,
  body: bidsBody(maxBids),
  response: { 201: BidReceiptSchema },
});

export const getBidRoute = {
  summary:
    "One own bid (utility) or a named utility's (operator, ?utility=): whether it is in the round and in which batch",
  tags: ['bids'],
  params: RoundBidParam,
  querystring: UtilityQuery,
};

const ListBidsQuery = Type.Object(
  {
    utility: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9.-]{1,40}$' })),
    ...pageQueryProps('bids', 'all'),
  },
  { additionalProperties: false },
);

export const listBidsRoute = {
  summary:
    "Own sealed bids (utility) or a named utility's (operator, ?utility=); all of them, or a page with ?limit= (and ?cursor=)",
  tags: ['bids'],
  params: RoundParam,
  querystring: ListBidsQuery,
};

export const settlementRoute = {
  summary: "Own settlement lines (utility) or a named utility's (operator, ?utility=)",
  tags: ['settlement'],
  params: RoundParam,
  querystring: UtilityQuery,
};

export const positionsRoute = {
  summary: 'Net positions of every utility (public)',
  tags: ['settlement'],
  params: RoundParam,
};
