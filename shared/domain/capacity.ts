/**
 * What a rule set asks of each bureau (contract section 7, simulation): the inspections the replay
 * found per bureau, as a daily rate over the period the replayed declarations cover, against the
 * bureau's daily inspection capacity from the region config. Pure arithmetic.
 */

/** A period shorter than this is stretched to it: a burst of minutes says little about a day. */
const MIN_PERIOD_DAYS = 1 / 24;

export type CapacityRow = {
  bureau: string;
  dailyCapacity: number;
  expectedPerDay: { active: number; draft: number };
  /** expectedPerDay / dailyCapacity (3 decimals). */
  utilisation: { active: number; draft: number };
  overCapacity: { active: boolean; draft: boolean };
};

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

export function inspectionCapacity(
  workload: { active: Record<string, number>; draft: Record<string, number> },
  period: { from: string; to: string; bureaus: readonly string[]; capacityOf: (bureau: string) => number },
): { periodDays: number; bureaus: CapacityRow[] } {
  const days = Math.max(MIN_PERIOD_DAYS, (Date.parse(period.to) - Date.parse(period.from)) / 86_400_000);
  const perDay = (n: number | undefined) => round((n ?? 0) / days, 1);
  const known = new Set(period.bureaus);
  const bureaus = [
    ...period.bureaus,
    ...Object.keys({ ...workload.active, ...workload.draft })
      .filter((b) => !known.has(b))
      .sort(),
  ];
  return {
    periodDays: round(days, 3),
    bureaus: bureaus.map((bureau) => {
      const dailyCapacity = period.capacityOf(bureau);
      const expectedPerDay = { active: perDay(workload.active[bureau]), draft: perDay(workload.draft[bureau]) };
      return {
        bureau,
        dailyCapacity,
        expectedPerDay,
        utilisation: { active: round(expectedPerDay.active / dailyCapacity, 3), draft: round(expectedPerDay.draft / dailyCapacity, 3) },
        overCapacity: { active: expectedPerDay.active > dailyCapacity, draft: expectedPerDay.draft > dailyCapacity },
      };
    }),
  };
}
