// Every published figure the detection week is built from, with the key of its source in bench/detection/README.md
// ([Ofcom-UKC], [CFCA-2023], [EUROPOL-TM], [CB-UK], [OFCOM-PM], [GSMA-IRSF], [ITU-E164], [OFCOM-DRAMA]...). The
// generator reads no number that is not here, so a reader can check each against its source. Money: GBP per minute.

/** Retail per-minute prices charged to a UK business (access + service charge for service numbers). */
export const PRICE_PER_MIN = {
  // [BT-BIZ] UK business tariffs: geographic 01/02/03 and mobile 07 calls, pence per minute.
  ukGeographic: 0.02,
  ukMobile: 0.05,
  // [Ofcom-UKC] 084 service charge is capped at 7p/min, 087 at 13p/min; plus the caller's access charge (~5-10p).
  uk084: 0.07 + 0.08,
  uk087: 0.13 + 0.08,
  // [Ofcom-UKC] 09 service charge up to GBP 3.60/min; fraudsters use the top tariffs. Plus access charge.
  uk09Min: 1.5 + 0.08,
  uk09Max: 3.6 + 0.08,
  // [BT-BIZ] international: western Europe / North America fixed, and mobiles.
  intlEuFixed: 0.05,
  intlMobile: 0.15,
  // [BT-BIZ] long-distance family calls (Pakistan, India, Nigeria, Philippines, Poland), cheap routes.
  intlFamily: 0.08,
  // [BT-BIZ][GSMA-IRSF] high-risk country ranges (Cuba, Somalia, Papua New Guinea, Sierra Leone, Latvia, ...).
  highRiskMin: 0.8,
  highRiskMax: 2.5,
  // [BT-BIZ][ITU-E164] satellite and international networks +881/+882/+883 (Iridium, Inmarsat, Thuraya, ...).
  intlNetworkMin: 4.0,
  intlNetworkMax: 9.0,
  // [BT-BIZ] countries on no IRSF list, premium sub-ranges used for revenue share.
  unlistedMin: 0.3,
  unlistedMax: 1.2,
} as const;

/** Call holding times in seconds: log-normal medians and spreads. */
export const DURATION = {
  // [OFCOM-CMR] average fixed-originated call ~3-4 minutes: median 150 s, long tail.
  business: { median: 150, sigma: 0.9 },
  // [CB-UK] outbound contact-centre connected calls average ~3-4 minutes of talk time.
  outboundConnected: { median: 170, sigma: 0.7 },
  // [CB-UK] inbound contact-centre average handling time ~5-6 minutes (talk part ~4.5 minutes).
  inboundHandled: { median: 270, sigma: 0.6 },
  // [OFCOM-CMR] international family calls are long: median ~25 minutes.
  family: { median: 1500, sigma: 0.7 },
  // [OFCOM-PM] ring time before a no-answer: Ofcom asks diallers to ring at least 15 s; networks give up ~30-60 s.
  ringNoAnswer: { median: 25, sigma: 0.3 },
  // [EUROPOL-TM][CFCA-2023] IRSF calls are kept short of "long call" alarms: minutes to tens of minutes.
  irsf: { median: 600, sigma: 0.6 },
  // [GSMA-SIMBOX] bypassed calls look like ordinary mobile calls: median ~2 minutes.
  simbox: { median: 120, sigma: 0.8 },
  // [CFCA-2023] Wangiri call-backs are held on a premium IVR for 1-4 minutes.
  wangiriCallback: { median: 120, sigma: 0.5 },
} as const;

/** Contact-centre figures. */
export const CONTACT_CENTRE = {
  // [CB-UK] predictive diallers keep agents busy: ~25-40 dials per agent-hour at ~30-35% connect rate.
  dialsPerAgentHour: 26,
  connectRate: 0.33,
  busyRate: 0.07,
  failedRate: 0.1,
  // [CB-UK] inbound: ~6 calls per agent-hour at ~5-6 minutes handling.
  inboundPerAgentHour: 6,
  // [OFCOM-PM] UK outbound calling in practice 08:00-21:00; the week's campaigns run 09:00-17:00, some to 21:00.
  shiftFrom: 9,
  shiftTo: 17,
} as const;

/** SME and residential habits. */
export const HABITS = {
  // [OFCOM-CMR][BT-BIZ] a small-business line places ~5-10 outbound calls a working day.
  callsPerLinePerDay: 7,
  // [OFCOM-CMR] ~55% of business calls are to fixed lines, ~40% to mobiles, the rest service and international.
  shareMobile: 0.38,
  shareInternational: 0.03,
  // [OFCOM-CMR] answer rate of ordinary calls ~75-80%.
  answerRate: 0.78,
} as const;

/** Attack figures. */
export const ATTACK = {
  // [EUROPOL-TM][CFCA-2023] hacked PBXs are driven on 10-30 simultaneous channels, out of hours.
  pbxChannels: [10, 30] as const,
  // [EUROPOL-TM] IRSF through a compromised SIP account: a few channels, hours of traffic.
  irsfChannels: [2, 8] as const,
  // [Ofcom-UKC][CFCA-2023] premium-rate toll fraud: 5-15 channels on 09 numbers the fraudster rents.
  premiumChannels: [5, 15] as const,
  // [CFCA-2023] Wangiri: dozens of one-ring calls from one range; ~5-15% of the people rung call back.
  wangiriRings: [20, 40] as const,
  wangiriCallbackRate: 0.15,
  // [GSMA-SIMBOX] SIM-boxes come with 8 to 32 SIM ports (8- and 16-port boxes are the common sizes); each SIM carries ~15-20 calls an hour.
  simboxSims: [8, 16] as const,
  simboxCallsPerSimHour: 16,
  // [GSMA-SIMBOX] lost international termination revenue per bypassed minute into UK mobiles.
  simboxLossPerMin: 0.04,
  // [CFCA-2023] subscription fraud: a new account resells calls within hours on 6-12 channels.
  subscriptionChannels: [6, 12] as const,
  // [CFCA-2023] low-and-slow IRSF: about one call an hour, kept under hourly alarms, for days.
  lowSlowGapMin: [40, 90] as const,
  // [EUROPOL-TM] a fraudster leaves a call ~5-30 s before dialling again on the same channel.
  redialGapSec: [5, 30] as const,
} as const;
