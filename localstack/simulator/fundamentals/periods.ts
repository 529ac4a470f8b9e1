/**
 * Which fiscal periods a company has reported by a date (quarters 30 days after they end, years 45 days),
 * newest first, from 2006 or its listing year on, as many as AlphaVantage lists (81 quarters, 20 years).
 */
import { addDays } from '../calendar.ts';
import type { DailyBar } from '../series.ts';
import type { Listing } from '../universe.ts';
import { companyProfile } from './company.ts';
import { type QuarterFigures, quarterFigures } from './figures.ts';

const QUARTER_ENDS = ['03-31', '06-30', '09-30', '12-31'] as const;
const QUARTER_REPORTING_LAG_DAYS = 30;
const ANNUAL_REPORTING_LAG_DAYS = 45;
const MAX_QUARTERLY_REPORTS = 81;
const MAX_ANNUAL_REPORTS = 20;
const FIRST_REPORTED_YEAR = 2006;

export interface Quarter {
  year: number;
  /** 1-4 */
  quarter: number;
}

export function quarterEnd({ year, quarter }: Quarter): string {
  return `${year}-${QUARTER_ENDS[quarter - 1]}`;
}

function previousQuarter({ year, quarter }: Quarter): Quarter {
  return quarter === 1 ? { year: year - 1, quarter: 4 } : { year, quarter: quarter - 1 };
}

/** The latest quarter whose report is out on `today` (quarter end + reporting lag). */
function latestReportedQuarter(today: string): Quarter {
  let candidate: Quarter = { year: Number(today.slice(0, 4)), quarter: 4 };
  while (addDays(quarterEnd(candidate), QUARTER_REPORTING_LAG_DAYS) > today)
    candidate = previousQuarter(candidate);
  return candidate;
}

/** The latest fiscal year whose annual report is out on `today`. */
function latestReportedYear(today: string): number {
  let year = Number(today.slice(0, 4));
  while (addDays(`${year}-12-31`, ANNUAL_REPORTING_LAG_DAYS) > today) year -= 1;
  return year;
}

/** The average close of the quarter's bars; the nearest bar's close for a quarter without bars. */
function averageClose(bars: readonly DailyBar[], period: Quarter): number {
  const last = quarterEnd(period);
  const first = `${period.year}-${String(period.quarter * 3 - 2).padStart(2, '0')}-01`;
  const inQuarter = bars.filter((bar) => bar.date >= first && bar.date <= last);
  if (inQuarter.length > 0) return inQuarter.reduce((total, bar) => total + bar.close, 0) / inQuarter.length;
  const nearest = (bars[0]?.date ?? '') > last ? bars[0] : bars.at(-1);
  return nearest?.close ?? 1;
}

/** Everything a company has reported by `today`, newest first. */
export interface ReportedPeriods {
  quarters: { period: Quarter; figures: QuarterFigures }[];
  years: { year: number; quarters: QuarterFigures[] }[];
}

/** `bars`: the symbol's daily bars (ascending), which size each quarter (figures.ts). */
export function reportedPeriods(
  symbol: string,
  today: string,
  bars: readonly DailyBar[],
  listing?: Listing,
): ReportedPeriods {
  const profile = companyProfile(symbol, listing);
  const firstYear = Math.max(FIRST_REPORTED_YEAR, listing ? Number(listing.ipoDate.slice(0, 4)) : 0);
  const cache = new Map<string, QuarterFigures>();
  const figuresOf = (period: Quarter) => {
    const key = `${period.year}Q${period.quarter}`;
    let figures = cache.get(key);
    if (figures === undefined) {
      figures = quarterFigures(symbol, profile, period, averageClose(bars, period));
      cache.set(key, figures);
    }
    return figures;
  };
  const quarters: ReportedPeriods['quarters'] = [];
  for (
    let period = latestReportedQuarter(today);
    period.year >= firstYear && quarters.length < MAX_QUARTERLY_REPORTS;
    period = previousQuarter(period)
  ) {
    quarters.push({ period, figures: figuresOf(period) });
  }
  const years: ReportedPeriods['years'] = [];
  for (
    let year = latestReportedYear(today);
    year >= firstYear && years.length < MAX_ANNUAL_REPORTS;
    year -= 1
  )
    years.push({ year, quarters: [1, 2, 3, 4].map((quarter) => figuresOf({ year, quarter })) });
  return { quarters, years };
}
