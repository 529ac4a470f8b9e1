/**
 * OVERVIEW and the financial statements (INCOME_STATEMENT, BALANCE_SHEET, CASH_FLOW) -> typed data.
 *
 * AlphaVantage changed these field sets over the years (fixtures from 2020, 2022 and 2026 differ): the
 * parsed overview always has every CURRENT field (null when a response lacks it or says "None"), and
 * keeps fields outside the current set in `additional`. Statement reports keep their fields by
 * AlphaVantage's names in `values`, after mapping known old spellings to the current ones
 * (e.g. 2022's typo "otherNonCurrrentAssets").
 */
import * as z from 'zod';
import { dateOrNone, isoDate, MISSING_VALUES, numericOrNone, textOrNone } from './values.ts';

type Kind = 'text' | 'number' | 'date';

/** Current OVERVIEW fields: AlphaVantage key -> [our name, kind]. */
const OVERVIEW_FIELDS = {
  Symbol: ['symbol', 'text'],
  AssetType: ['assetType', 'text'],
  Name: ['name', 'text'],
  Description: ['description', 'text'],
  CIK: ['cik', 'text'],
  Exchange: ['exchange', 'text'],
  Currency: ['currency', 'text'],
  Country: ['country', 'text'],
  Sector: ['sector', 'text'],
  Industry: ['industry', 'text'],
  Address: ['address', 'text'],
  OfficialSite: ['officialSite', 'text'],
  FiscalYearEnd: ['fiscalYearEnd', 'text'],
  LatestQuarter: ['latestQuarter', 'date'],
  MarketCapitalization: ['marketCapitalization', 'number'],
  EBITDA: ['ebitda', 'number'],
  PERatio: ['peRatio', 'number'],
  PEGRatio: ['pegRatio', 'number'],
  BookValue: ['bookValue', 'number'],
  DividendPerShare: ['dividendPerShare', 'number'],
  DividendYield: ['dividendYield', 'number'],
  EPS: ['eps', 'number'],
  RevenuePerShareTTM: ['revenuePerShareTtm', 'number'],
  ProfitMargin: ['profitMargin', 'number'],
  OperatingMarginTTM: ['operatingMarginTtm', 'number'],
  ReturnOnAssetsTTM: ['returnOnAssetsTtm', 'number'],
  ReturnOnEquityTTM: ['returnOnEquityTtm', 'number'],
  RevenueTTM: ['revenueTtm', 'number'],
  GrossProfitTTM: ['grossProfitTtm', 'number'],
  DilutedEPSTTM: ['dilutedEpsTtm', 'number'],
  QuarterlyEarningsGrowthYOY: ['quarterlyEarningsGrowthYoy', 'number'],
  QuarterlyRevenueGrowthYOY: ['quarterlyRevenueGrowthYoy', 'number'],
  AnalystTargetPrice: ['analystTargetPrice', 'number'],
  AnalystRatingStrongBuy: ['analystRatingStrongBuy', 'number'],
  AnalystRatingBuy: ['analystRatingBuy', 'number'],
  AnalystRatingHold: ['analystRatingHold', 'number'],
  AnalystRatingSell: ['analystRatingSell', 'number'],
  AnalystRatingStrongSell: ['analystRatingStrongSell', 'number'],
  TrailingPE: ['trailingPe', 'number'],
  ForwardPE: ['forwardPe', 'number'],
  PriceToSalesRatioTTM: ['priceToSalesRatioTtm', 'number'],
  PriceToBookRatio: ['priceToBookRatio', 'number'],
  EVToRevenue: ['evToRevenue', 'number'],
  EVToEBITDA: ['evToEbitda', 'number'],
  Beta: ['beta', 'number'],
  '52WeekHigh': ['week52High', 'number'],
  '52WeekLow': ['week52Low', 'number'],
  '50DayMovingAverage': ['movingAverage50Day', 'number'],
  '200DayMovingAverage': ['movingAverage200Day', 'number'],
  SharesOutstanding: ['sharesOutstanding', 'number'],
  SharesFloat: ['sharesFloat', 'number'],
  PercentInsiders: ['percentInsiders', 'number'],
  PercentInstitutions: ['percentInstitutions', 'number'],
  DividendDate: ['dividendDate', 'date'],
  ExDividendDate: ['exDividendDate', 'date'],
} as const satisfies Record<string, readonly [string, Kind]>;

type OverviewFieldMap = typeof OVERVIEW_FIELDS;
type ValueOf<K extends Kind> = K extends 'number' ? number | null : string | null;

export type CompanyOverview = {
  [Key in keyof OverviewFieldMap as OverviewFieldMap[Key][0]]: ValueOf<OverviewFieldMap[Key][1]>;
} & {
  symbol: string;
  /** Fields outside the current set (older responses: "FullTimeEmployees", "LastSplitFactor" ...). */
  additional: Record<string, string | number | null>;
};

/** Names of the current AlphaVantage OVERVIEW keys, in AlphaVantage's order. */
const OVERVIEW_KEYS = Object.keys(OVERVIEW_FIELDS) as (keyof OverviewFieldMap)[];

const schemaOf: Record<Kind, z.ZodType<string | number | null, string>> = {
  text: textOrNone,
  number: numericOrNone as z.ZodType<number | null, string>,
  date: dateOrNone,
};

/** A field outside the known set: a number if it looks like one, else text. */
const additionalValue = z.string().transform((text) => {
  if (MISSING_VALUES.has(text.trim())) return null;
  const parsed = numericOrNone.safeParse(text);
  return parsed.success ? parsed.data : text;
});

const overviewShape = Object.fromEntries(
  OVERVIEW_KEYS.map((key) => [
    key,
    (key === 'Symbol' ? z.string().min(1) : schemaOf[OVERVIEW_FIELDS[key][1]]).optional(),
  ]),
);

export const overviewSchema = z
  .looseObject(overviewShape)
  .catchall(z.string())
  .transform((raw): CompanyOverview => {
    const overview: Record<string, unknown> = {};
    for (const key of OVERVIEW_KEYS) overview[OVERVIEW_FIELDS[key][0]] = raw[key] ?? null;
    const additional: Record<string, string | number | null> = {};
    for (const [key, value] of Object.entries(raw)) {
      if (!(key in OVERVIEW_FIELDS)) additional[key] = additionalValue.parse(value);
    }
    overview.additional = additional;
    return overview as CompanyOverview;
  });

export interface FinancialReport {
  fiscalDateEnding: string;
  reportedCurrency: string;
  /** Every other field by AlphaVantage's name; null where it says "None". */
  values: Record<string, number | null>;
}

export interface FinancialStatement {
  symbol: string;
  annualReports: FinancialReport[];
  quarterlyReports: FinancialReport[];
}

/** Older spellings -> current field names. */
const STATEMENT_FIELD_ALIASES: Readonly<Record<string, string>> = {
  otherNonCurrrentAssets: 'otherNonCurrentAssets', // BALANCE_SHEET 2022: typo, fixed later
  sellingGeneralAdministrative: 'sellingGeneralAndAdministrative', // INCOME_STATEMENT legacy (2020) schema
  totalOperatingExpense: 'operatingExpenses', // INCOME_STATEMENT legacy (2020) schema
};

const reportSchema = z
  .looseObject({ fiscalDateEnding: isoDate, reportedCurrency: z.string().min(1) })
  .catchall(numericOrNone)
  .transform(({ fiscalDateEnding, reportedCurrency, ...rest }): FinancialReport => {
    const values: Record<string, number | null> = {};
    for (const [key, value] of Object.entries(rest))
      values[STATEMENT_FIELD_ALIASES[key] ?? key] = value as number | null;
    return { fiscalDateEnding, reportedCurrency, values };
  });

const newestFirst = (reports: FinancialReport[]) =>
  reports.sort((left, right) => (left.fiscalDateEnding < right.fiscalDateEnding ? 1 : -1));

export const financialStatementSchema = z
  .object({
    symbol: z.string().min(1),
    annualReports: z.array(reportSchema).default([]),
    quarterlyReports: z.array(reportSchema).default([]),
  })
  .transform(
    (body): FinancialStatement => ({
      symbol: body.symbol,
      annualReports: newestFirst(body.annualReports),
      quarterlyReports: newestFirst(body.quarterlyReports),
    }),
  );
