import type { Summary } from '../metrics/summary.js';
import { base, type Chart } from './chart-base.js';
import { fixed } from './format.js';
import { postedUntilMs } from './tables.js';

/**
 * Charts of who sold what at which price: per-seller revenue share over
 * time, quoted-price trajectories per seller, repricing sellers' posted
 * prices (when any), the welfare split and payment success by amount. All
 * from summary.json.
 */
export function marketCharts(s: Summary): Chart[] {
  return [
    revenueShare(s),
    quotedPrices(s),
    ...(s.postedPrices ? [postedPrices(s, s.postedPrices)] : []),
    welfareSplit(s),
    successByAmount(s),
  ];
}

function revenueShare(s: Summary): Chart {
  const values = s.series.points.flatMap((p) =>
    Object.entries(p.sellers).map(([seller, v]) => ({ sec: p.t / 1000, seller, sats: v.revenueMsat / 1000 })),
  );
  return {
    id: 'seller-share',
    title: `Revenue share by seller per ${s.series.bucketMs / 1000} s (HHI over the run ${fixed(s.market.hhi, 3)})`,
    spec: {
      ...base,
      data: { values },
      mark: { type: 'area' },
      encoding: {
        x: { field: 'sec', type: 'quantitative', title: 'run time (s)' },
        y: { field: 'sats', type: 'quantitative', stack: 'normalize', title: 'share of revenue' },
        color: { field: 'seller', type: 'nominal', legend: { labelLimit: 200 } },
      },
    },
  };
}

function quotedPrices(s: Summary): Chart {
  const values = s.series.points.flatMap((p) =>
    Object.entries(p.sellers).flatMap(([seller, v]) =>
      v.meanQuotedMsat === null ? [] : [{ sec: p.t / 1000, seller, sats: v.meanQuotedMsat / 1000 }],
    ),
  );
  return {
    id: 'quoted-prices',
    title: 'Quoted price by seller over time (mean invoice amount per bucket)',
    spec: {
      ...base,
      data: { values },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'sec', type: 'quantitative', title: 'run time (s)' },
        y: { field: 'sats', type: 'quantitative', title: 'quoted (sat)', scale: { zero: false } },
        color: { field: 'seller', type: 'nominal', legend: { labelLimit: 200 } },
      },
    },
  };
}

/** Repricing sellers' posted unit prices: a step line per seller, held until the scenario's end (a stopped run's stop). */
function postedPrices(s: Summary, posted: NonNullable<Summary['postedPrices']>): Chart {
  const endMs = postedUntilMs(s);
  const values = Object.entries(posted).flatMap(([seller, list]) => [
    ...list.map((p) => ({ sec: p.atMs / 1000, seller, sats: p.msat / 1000 })),
    { sec: endMs / 1000, seller, sats: list.at(-1)!.msat / 1000 },
  ]);
  return {
    id: 'posted-prices',
    title: 'Posted unit price by repricing seller over time',
    spec: {
      ...base,
      data: { values },
      mark: { type: 'line', interpolate: 'step-after' },
      encoding: {
        x: { field: 'sec', type: 'quantitative', title: 'run time (s)' },
        y: { field: 'sats', type: 'quantitative', title: 'posted (sat)', scale: { zero: false } },
        color: { field: 'seller', type: 'nominal', legend: { labelLimit: 200 } },
      },
    },
  };
}

function welfareSplit(s: Summary): Chart {
  const w = s.welfare;
  const values = [
    { part: 'buyer surplus', sats: w.buyerSurplusMsat / 1000 },
    { part: 'seller profit', sats: w.sellerProfitMsat / 1000 },
    { part: 'routing income', sats: w.routingIncomeMsat / 1000 },
  ];
  return {
    id: 'welfare-split',
    title: 'Welfare split',
    spec: {
      ...base,
      data: { values },
      mark: 'bar',
      encoding: {
        y: { field: 'part', type: 'nominal', title: null, sort: null },
        x: { field: 'sats', type: 'quantitative', title: 'sat' },
      },
    },
  };
}

function successByAmount(s: Summary): Chart {
  const values = s.successByAmount.map((b) => ({
    amount: `${b.minMsat / 1000}–${(b.maxMsat + 1) / 1000} sat`,
    rate: b.rate,
    attempts: b.attempts,
  }));
  return {
    id: 'success-by-amount',
    title: 'Payment success by invoice amount',
    spec: {
      ...base,
      data: { values },
      mark: 'bar',
      encoding: {
        x: { field: 'amount', type: 'ordinal', sort: null, title: 'invoice amount' },
        y: {
          field: 'rate',
          type: 'quantitative',
          title: 'payments that went through',
          scale: { domain: [0, 1] },
        },
        tooltip: [{ field: 'attempts', type: 'quantitative' }],
      },
    },
  };
}
