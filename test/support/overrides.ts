/** What the override tests share: two officers of one bureau, the transition context, a waiver. */
import { at, testSeal } from './records.js';

export const ha1 = { principalId: 'prn_ha_1', bureau: 'HA' };
export const ha2 = { principalId: 'prn_ha_2', bureau: 'HA' };
export const overrideContext = (s: number, id = 'ovr_1') => ({ at: at(s), seal: testSeal, timeLimitS: () => 86_400, id });
export const waiveOrigin = {
  action: 'WAIVE_STEP' as const,
  kind: 'ORIGIN_INSPECTION' as const,
  reasonCode: 'STANDARD_EXCEPTION',
  remarks: 'sealed at origin',
};
