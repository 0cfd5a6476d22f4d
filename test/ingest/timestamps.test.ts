import { describe, expect, it } from 'vitest';
import { parseTimestamp, type EpochUnit } from '../../src/ingest/timestamps.ts';

const at = (iso: string) => Date.parse(iso);

// Every encoding the corpus (shared/corpus/SOURCES.md) uses, with where it comes from.
const ACCEPTED: Array<[input: unknown, expected: number, note: string, unit?: EpochUnit]> = [
  [1631256697042, at('2021-09-10T06:51:37.042Z'), 'epoch ms number (Coralogix, GitHub, Databricks)'],
  ['1702857600000', at('2023-12-18T00:00:00.000Z'), 'epoch ms as a string (Databricks)'],
  [1588697026, at('2020-05-05T16:43:46Z'), 'epoch s number (OpenAI, Netskope)'],
  ['1588697026', at('2020-05-05T16:43:46Z'), 'epoch s as a string (BigPanda)'],
  [1747795144.253623, at('2025-05-21T02:39:04.253Z'), 'epoch s with a fraction (Axonius, Tailscale)'],
  ['1623657113850001', at('2021-06-14T07:51:53.850Z'), 'epoch µs (GCP time_micros, Workspace timestamp_usec)'],
  [1_700_000_000_123_456_789, at('2023-11-14T22:13:20.123Z'), 'epoch ns'],
  [638949921850717730, at('2025-10-02T08:56:25.071Z'), '.NET ticks (Entra __UDI_RequiredFields_EventTime)', 'ticks'],
  [1588697026, at('2020-05-05T16:43:46Z'), 'explicit unit s', 's'],
  ['2026-05-07T10:00:00Z', at('2026-05-07T10:00:00Z'), 'ISO Z, no fraction'],
  ['2020-08-17T18:50:39.1Z', at('2020-08-17T18:50:39.100Z'), 'ISO, 1 fractional digit (Teleport)'],
  ['2021-10-21T23:38:10.364Z', at('2021-10-21T23:38:10.364Z'), 'ISO, 3 digits'],
  ['2021-06-04T13:26:49.79784Z', at('2021-06-04T13:26:49.797Z'), 'ISO, 5 digits (GCP)'],
  ['2022-02-09T03:04:54.297853Z', at('2022-02-09T03:04:54.297Z'), 'ISO, 6 digits (Azure CLI)'],
  ['2019-06-24T09:21:27.3694184Z', at('2019-06-24T09:21:27.369Z'), 'ISO, 7 digits (Azure)'],
  ['2021-06-11T09:35:18.35940193Z', at('2021-06-11T09:35:18.359Z'), 'ISO, 8 digits (GCP)'],
  ['2025-12-22T08:46:29.678707300Z', at('2025-12-22T08:46:29.678Z'), 'ISO, 9 digits (K8s, Azure Monitor)'],
  ['2023-03-15T16:33:50-03:00', at('2023-03-15T19:33:50Z'), 'ISO with a negative offset (1Password EPM)'],
  ['2025-11-12T13:50:16.693874+00:00', at('2025-11-12T13:50:16.693Z'), 'ISO, µs and +00:00 (Entra Graph)'],
  ['2023-01-01T10:00:00+0530', at('2023-01-01T04:30:00Z'), 'ISO with a colon-less offset'],
  ['2020-09-29T08:59:26', at('2020-09-29T08:59:26Z'), 'ISO without a zone is UTC (O365 CreationTime)'],
  ['2023-05-23T16:04:17.327781', at('2023-05-23T16:04:17.327Z'), 'ISO without a zone, µs (Sekoia)'],
  ['2023-01-31 18:58:27.638', at('2023-01-31T18:58:27.638Z'), 'space-separated, ms (GitHub created_at)'],
  ['2023-05-15 21:55:18.060000000', at('2023-05-15T21:55:18.060Z'), 'space-separated, 9 digits (Panther p_event_time)'],
  ['2022-11-21 18:06:52', at('2022-11-21T18:06:52Z'), 'space-separated, no fraction'],
  ['2021-05-20 15:53:47Z', at('2021-05-20T15:53:47Z'), 'space-separated with Z'],
  ['2022-02-08 09:23:37+11:00', at('2022-02-07T22:23:37Z'), 'space-separated with an offset (plaso CloudTrail)'],
  ['2024-12-17 00:00:00000000', at('2024-12-17T00:00:00Z'), 'fraction glued to the seconds (Panther fixture)'],
  ['2023-01-31', at('2023-01-31T00:00:00Z'), 'date only'],
  ['4/11/2025 6:21:02 PM', at('2025-04-11T18:21:02Z'), 'm/d/Y h:mm:ss PM (Intune)'],
  ['12/13/2024 4:34:03 PM', at('2024-12-13T16:34:03Z'), 'm/d/Y PM, two-digit month (Entra)'],
  ['4/25/2025 12:44:00 AM', at('2025-04-25T00:44:00Z'), '12 AM is midnight'],
  ['4/25/2025 12:44:00 PM', at('2025-04-25T12:44:00Z'), '12 PM is noon'],
  ['25/4/2025 13:44:00', at('2025-04-25T13:44:00Z'), 'day first when the first number cannot be a month'],
  ['Mon, 23 Nov 2026 15:51:42 +0000', at('2026-11-23T15:51:42Z'), 'RFC 2822'],
  ['23 Nov 2026 15:51:42 GMT', at('2026-11-23T15:51:42Z'), 'RFC 2822, no weekday, GMT'],
  ['Tue, 1 Jul 2003 10:52:37 +0200', at('2003-07-01T08:52:37Z'), 'RFC 2822, one-digit day, offset'],
  ['10/Oct/2000:13:55:36 -0700', at('2000-10-10T20:55:36Z'), 'Apache access-log time'],
  ['  2026-05-07T10:00:00Z  ', at('2026-05-07T10:00:00Z'), 'surrounding spaces'],
  ['2016-12-31T23:59:60Z', at('2016-12-31T23:59:59Z'), 'leap second folds into :59'],
  [0, 0, 'epoch 0 is 1970-01-01, the lower bound'],
  ['2200-12-31T23:59:59.999Z', at('2200-12-31T23:59:59.999Z'), 'the upper bound, year 2200'],
];

const REJECTED: Array<[input: unknown, reason: RegExp]> = [
  ['yesterday', /not a recognised date format/],
  ['redacted', /not a recognised date format/],
  ['...', /not a recognised date format/],
  ['', /empty/],
  [null, /got null/],
  [true, /got a boolean/],
  [{ seconds: 1 }, /got an object/],
  [-1, /outside the years 1970 to 2200/],
  ['2201-01-01T00:00:00Z', /outside/],
  ['1969-12-31T23:59:59Z', /outside/],
  [9e15 * 1000, /outside/],
  [Number.NaN, /finite/],
  ['2023-02-30T00:00:00Z', /day 30 does not exist in month 2/],
  ['2023-13-01', /month 13/],
  ['2023-01-01T24:00:00Z', /time of day/],
  ['2025-04-11:21:02.3387000Z', /not a recognised/], // Intune fixture with a broken hour
  ['2023-09-20T23:00:000.000000Z', /not a recognised/], // Teleport fixture, three-digit seconds
  ['13/13/2025 1:00:00', /month 13/],
  ['4/11/2025 13:21:02 PM', /hour 13 with PM/],
  ['2023-01-01T10:00:00+25:00', /unknown time zone/],
];

describe('parseTimestamp', () => {
  it.each(ACCEPTED)('%j → %i (%s)', (input, expected, _note, unit) => {
    expect(parseTimestamp(input, unit ? { unit } : {})).toEqual({ ms: expected });
  });

  it.each(REJECTED)('%j is rejected: %s', (input, reason) => {
    const result = parseTimestamp(input);
    expect(result).toHaveProperty('error');
    expect((result as { error: string }).error).toMatch(reason);
  });

  it('tells seconds from milliseconds by magnitude on both sides of the boundary', () => {
    // Just below 1e11 a number is seconds (and 1e11 s is year 5138: out of range)…
    expect(parseTimestamp(1e11 - 1)).toEqual({ error: 'outside the years 1970 to 2200' });
    // …from 1e11 it is milliseconds (early 1973).
    expect(parseTimestamp(1e11)).toEqual({ ms: 1e11 });
    expect(parseTimestamp(Date.UTC(2199, 11, 31) / 1000)).toEqual({ ms: Date.UTC(2199, 11, 31) });
  });

  it('rounds sub-millisecond precision down, never up into the next millisecond', () => {
    expect(parseTimestamp('2021-01-01T00:00:00.9999999Z')).toEqual({ ms: at('2021-01-01T00:00:00.999Z') });
    expect(parseTimestamp(1609459200.9999)).toEqual({ ms: at('2021-01-01T00:00:00.999Z') });
  });
});
