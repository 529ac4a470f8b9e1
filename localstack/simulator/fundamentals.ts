/**
 * Synthetic fundamentals (OVERVIEW, INCOME_STATEMENT, BALANCE_SHEET, CASH_FLOW) in AlphaVantage's
 * current (2026) field sets and key order. Numbers hang together: annual flows are the sums of their
 * four quarters, gross profit = revenue - cost of revenue, assets = liabilities + equity, the cash-flow
 * net income is the income-statement one, and OVERVIEW's TTM figures, market cap, 52-week range and
 * moving averages come from those statements and from the symbol's synthetic price series. Each
 * fiscal period draws from its own seeded stream, so a period's figures never change as the clock
 * moves on; the clock only decides which periods have been reported yet.
 */
import { addDays, latestTradingDayOnOrBefore } from './calendar.ts';
import { type RandomSource, seededRandom, standardNormal, uniform } from './random.ts';
import { canonicalSymbol, type DailyBar } from './series.ts';
import type { Listing } from './universe.ts';

export const INCOME_STATEMENT_FIELDS = [
  'grossProfit',
  'totalRevenue',
  'costOfRevenue',
  'costofGoodsAndServicesSold',
  'operatingIncome',
  'sellingGeneralAndAdministrative',
  'researchAndDevelopment',
  'operatingExpenses',
  'investmentIncomeNet',
  'netInterestIncome',
  'interestIncome',
  'interestExpense',
  'nonInterestIncome',
  'otherNonOperatingIncome',
  'depreciation',
  'depreciationAndAmortization',
  'incomeBeforeTax',
  'incomeTaxExpense',
  'interestAndDebtExpense',
  'netIncomeFromContinuingOperations',
  'comprehensiveIncomeNetOfTax',
  'ebit',
  'ebitda',
  'netIncome',
] as const;

export const BALANCE_SHEET_FIELDS = [
  'totalAssets',
  'totalCurrentAssets',
  'cashAndCashEquivalentsAtCarryingValue',
  'cashAndShortTermInvestments',
  'inventory',
  'currentNetReceivables',
  'totalNonCurrentAssets',
  'propertyPlantEquipment',
  'accumulatedDepreciationAmortizationPPE',
  'intangibleAssets',
  'intangibleAssetsExcludingGoodwill',
  'goodwill',
  'investments',
  'longTermInvestments',
  'shortTermInvestments',
  'otherCurrentAssets',
  'otherNonCurrentAssets',
  'totalLiabilities',
  'totalCurrentLiabilities',
  'currentAccountsPayable',
  'deferredRevenue',
  'currentDebt',
  'shortTermDebt',
  'totalNonCurrentLiabilities',
  'capitalLeaseObligations',
  'longTermDebt',
  'currentLongTermDebt',
  'longTermDebtNoncurrent',
  'shortLongTermDebtTotal',
  'otherCurrentLiabilities',
  'otherNonCurrentLiabilities',
  'totalShareholderEquity',
  'treasuryStock',
  'retainedEarnings',
  'commonStock',
  'commonStockSharesOutstanding',
] as const;

export const CASH_FLOW_FIELDS = [
  'operatingCashflow',
  'paymentsForOperatingActivities',
  'proceedsFromOperatingActivities',
  'changeInOperatingLiabilities',
  'changeInOperatingAssets',
  'depreciationDepletionAndAmortization',
  'capitalExpenditures',
  'changeInReceivables',
  'changeInInventory',
  'profitLoss',
  'cashflowFromInvestment',
  'cashflowFromFinancing',
  'proceedsFromRepaymentsOfShortTermDebt',
  'paymentsForRepurchaseOfCommonStock',
  'paymentsForRepurchaseOfEquity',
  'paymentsForRepurchaseOfPreferredStock',
  'dividendPayout',
  'dividendPayoutCommonStock',
  'dividendPayoutPreferredStock',
  'proceedsFromIssuanceOfCommonStock',
  'proceedsFromIssuanceOfLongTermDebtAndCapitalSecuritiesNet',
  'proceedsFromIssuanceOfPreferredStock',
  'proceedsFromRepurchaseOfEquity',
  'proceedsFromSaleOfTreasuryStock',
  'stockBasedCompensation',
  'changeInCashAndCashEquivalents',
  'changeInExchangeRate',
  'netIncome',
] as const;

export const OVERVIEW_FIELDS = [
  'Symbol',
  'AssetType',
  'Name',
  'Description',
  'CIK',
  'Exchange',
  'Currency',
  'Country',
  'Sector',
  'Industry',
  'Address',
  'OfficialSite',
  'FiscalYearEnd',
  'LatestQuarter',
  'MarketCapitalization',
  'EBITDA',
  'PERatio',
  'PEGRatio',
  'BookValue',
  'DividendPerShare',
  'DividendYield',
  'EPS',
  'RevenuePerShareTTM',
  'ProfitMargin',
  'OperatingMarginTTM',
  'ReturnOnAssetsTTM',
  'ReturnOnEquityTTM',
  'RevenueTTM',
  'GrossProfitTTM',
  'DilutedEPSTTM',
  'QuarterlyEarningsGrowthYOY',
  'QuarterlyRevenueGrowthYOY',
  'AnalystTargetPrice',
  'AnalystRatingStrongBuy',
  'AnalystRatingBuy',
  'AnalystRatingHold',
  'AnalystRatingSell',
  'AnalystRatingStrongSell',
  'TrailingPE',
  'ForwardPE',
  'PriceToSalesRatioTTM',
  'PriceToBookRatio',
  'EVToRevenue',
  'EVToEBITDA',
  'Beta',
  '52WeekHigh',
  '52WeekLow',
  '50DayMovingAverage',
  '200DayMovingAverage',
  'SharesOutstanding',
  'SharesFloat',
  'PercentInsiders',
  'PercentInstitutions',
  'DividendDate',
  'ExDividendDate',
] as const;

type IncomeField = (typeof INCOME_STATEMENT_FIELDS)[number];
type BalanceField = (typeof BALANCE_SHEET_FIELDS)[number];
type CashFlowField = (typeof CASH_FLOW_FIELDS)[number];
type Figures<Field extends string> = Record<Field, number>;

/** A report exactly as AlphaVantage sends it: every value a string, "None" when not reported. */
export type RawReport = Record<string, string>;
export interface RawStatement {
  symbol: string;
  annualReports: RawReport[];
  quarterlyReports: RawReport[];
}

/** Fields that real reports often leave as "None"; each company drops its own subset. */
const OFTEN_MISSING: Record<'income' | 'balance' | 'cash', readonly string[]> = {
  income: [
    'investmentIncomeNet',
    'nonInterestIncome',
    'otherNonOperatingIncome',
    'depreciation',
    'interestAndDebtExpense',
    'comprehensiveIncomeNetOfTax',
  ],
  balance: [
    'accumulatedDepreciationAmortizationPPE',
    'investments',
    'deferredRevenue',
    'treasuryStock',
    'capitalLeaseObligations',
    'longTermInvestments',
  ],
  cash: [
    'paymentsForOperatingActivities',
    'proceedsFromOperatingActivities',
    'proceedsFromIssuanceOfCommonStock',
    'proceedsFromSaleOfTreasuryStock',
    'changeInExchangeRate',
    'proceedsFromRepaymentsOfShortTermDebt',
  ],
};
/** Fields that are "None" for every company (no preferred stock in the synthetic world). */
const ALWAYS_MISSING = new Set([
  'paymentsForRepurchaseOfPreferredStock',
  'dividendPayoutPreferredStock',
  'proceedsFromIssuanceOfPreferredStock',
]);

const SECTORS: readonly [sector: string, industries: readonly string[]][] = [
  ['TECHNOLOGY', ['SOFTWARE - INFRASTRUCTURE', 'SEMICONDUCTORS', 'INFORMATION TECHNOLOGY SERVICES']],
  ['HEALTHCARE', ['DRUG MANUFACTURERS - GENERAL', 'MEDICAL DEVICES', 'BIOTECHNOLOGY']],
  ['FINANCIAL SERVICES', ['BANKS - DIVERSIFIED', 'ASSET MANAGEMENT', 'INSURANCE - PROPERTY & CASUALTY']],
  ['INDUSTRIALS', ['AEROSPACE & DEFENSE', 'SPECIALTY INDUSTRIAL MACHINERY', 'RAILROADS']],
  ['CONSUMER CYCLICAL', ['INTERNET RETAIL', 'AUTO MANUFACTURERS', 'RESTAURANTS']],
  ['ENERGY', ['OIL & GAS INTEGRATED', 'OIL & GAS E&P']],
  ['UTILITIES', ['UTILITIES - REGULATED ELECTRIC']],
];
const CITIES = [
  'NEW YORK, NY',
  'AUSTIN, TX',
  'DENVER, CO',
  'SEATTLE, WA',
  'BOSTON, MA',
  'CHICAGO, IL',
  'ATLANTA, GA',
];
const STREETS = ['MAIN STREET', 'MARKET STREET', 'PARK AVENUE', 'HARBOR DRIVE', 'INNOVATION WAY'];

/** Company-wide parameters, seeded by the symbol. */
interface CompanyProfile {
  sharesOutstanding: number;
  /** Quarterly revenue in 2020, dollars. */
  baseQuarterlyRevenue: number;
  annualGrowth: number;
  grossMargin: number;
  sgaRatio: number;
  rdRatio: number;
  depreciationRatio: number;
  taxRate: number;
  assetsToAnnualRevenue: number;
  liabilitiesToAssets: number;
  debtToAssets: number;
  payoutRatio: number;
  buybackRatio: number;
  capexRatio: number;
  beta: number;
  missing: ReadonlySet<string>;
  cik: number;
  sector: string;
  industry: string;
  address: string;
}

function companyProfile(symbol: string): CompanyProfile {
  const random = seededRandom(`company:${canonicalSymbol(symbol)}`);
  const [sector, industries] = SECTORS[Math.floor(random.next() * SECTORS.length)] ?? [
    'TECHNOLOGY',
    ['SOFTWARE'],
  ];
  const industry = industries[Math.floor(random.next() * industries.length)] ?? 'SOFTWARE';
  const missing = new Set<string>(ALWAYS_MISSING);
  for (const fields of Object.values(OFTEN_MISSING))
    for (const field of fields) if (random.next() < 0.45) missing.add(field);
  const street = `${Math.floor(uniform(random, 1, 9000))} ${STREETS[Math.floor(random.next() * STREETS.length)]}`;
  const city = CITIES[Math.floor(random.next() * CITIES.length)];
  return {
    sharesOutstanding: Math.round(Math.exp(uniform(random, Math.log(4e7), Math.log(4e9))) / 1000) * 1000,
    baseQuarterlyRevenue: Math.exp(uniform(random, Math.log(5e7), Math.log(2.5e10))),
    annualGrowth: uniform(random, -0.02, 0.14),
    grossMargin: uniform(random, 0.25, 0.75),
    sgaRatio: uniform(random, 0.08, 0.22),
    rdRatio: uniform(random, 0, 0.15),
    depreciationRatio: uniform(random, 0.02, 0.07),
    taxRate: uniform(random, 0.1, 0.25),
    assetsToAnnualRevenue: uniform(random, 0.8, 2.5),
    liabilitiesToAssets: uniform(random, 0.35, 0.8),
    debtToAssets: uniform(random, 0.1, 0.3),
    payoutRatio: random.next() < 0.6 ? uniform(random, 0.2, 0.7) : 0,
    buybackRatio: uniform(random, 0, 0.4),
    capexRatio: uniform(random, 0.02, 0.1),
    beta: uniform(random, 0.5, 1.8),
    missing,
    cik: Math.floor(uniform(random, 10_000, 2_000_000)),
    sector,
    industry,
    address: `${street}, ${city}, UNITED STATES, ${String(Math.floor(uniform(random, 10_000, 99_999)))}`,
  };
}

const QUARTER_ENDS = ['03-31', '06-30', '09-30', '12-31'] as const;
const QUARTER_REPORTING_LAG_DAYS = 30;
const ANNUAL_REPORTING_LAG_DAYS = 45;
const MAX_QUARTERLY_REPORTS = 81;
const MAX_ANNUAL_REPORTS = 20;
const FIRST_REPORTED_YEAR = 2006;

interface Quarter {
  year: number;
  /** 1-4 */
  quarter: number;
}

function quarterEnd({ year, quarter }: Quarter): string {
  return `${year}-${QUARTER_ENDS[quarter - 1]}`;
}

function previousQuarter({ year, quarter }: Quarter): Quarter {
  return quarter === 1 ? { year: year - 1, quarter: 4 } : { year, quarter: quarter - 1 };
}

/** The latest quarter whose report is out on `today` (quarter end + reporting lag). */
export function latestReportedQuarter(today: string): Quarter {
  let candidate: Quarter = { year: Number(today.slice(0, 4)), quarter: 4 };
  while (addDays(quarterEnd(candidate), QUARTER_REPORTING_LAG_DAYS) > today)
    candidate = previousQuarter(candidate);
  return candidate;
}

const millions = (value: number) => Math.round(value / 1e6) * 1e6;

interface QuarterFigures {
  income: Figures<IncomeField>;
  balance: Figures<BalanceField>;
  cash: Figures<CashFlowField>;
}

/** One quarter's three statements; depends only on the symbol and the quarter. */
function quarterFigures(symbol: string, profile: CompanyProfile, period: Quarter): QuarterFigures {
  const random = seededRandom(`fundamentals:${canonicalSymbol(symbol)}:${period.year}Q${period.quarter}`);
  const noise = (scale: number) => standardNormal(random) * scale;
  const yearsFrom2020 = period.year + (period.quarter - 1) / 4 - 2020;
  const seasonal = 1 + 0.06 * Math.sin((period.quarter / 4) * 2 * Math.PI);
  const revenue = millions(
    profile.baseQuarterlyRevenue *
      Math.exp(profile.annualGrowth * yearsFrom2020) *
      seasonal *
      Math.exp(noise(0.04)),
  );
  const costOfRevenue = millions(revenue * (1 - profile.grossMargin * Math.exp(noise(0.03))));
  const grossProfit = revenue - costOfRevenue;
  const sga = millions(revenue * profile.sgaRatio * Math.exp(noise(0.05)));
  const rd = millions(revenue * profile.rdRatio);
  const depreciationAndAmortization = millions(revenue * profile.depreciationRatio);
  const operatingExpenses = sga + rd + millions(revenue * 0.01);
  const operatingIncome = grossProfit - operatingExpenses;
  const totalAssets = millions(revenue * 4 * profile.assetsToAnnualRevenue * Math.exp(noise(0.02)));
  const debt = millions(totalAssets * profile.debtToAssets);
  const interestIncome = millions(revenue * 0.006);
  const interestExpense = millions((debt * 0.045) / 4);
  const otherNonOperatingIncome = millions(revenue * noise(0.01));
  const incomeBeforeTax = operatingIncome + interestIncome - interestExpense + otherNonOperatingIncome;
  const incomeTaxExpense = millions(incomeBeforeTax * profile.taxRate);
  const netIncome = incomeBeforeTax - incomeTaxExpense;
  const income: Figures<IncomeField> = {
    grossProfit,
    totalRevenue: revenue,
    costOfRevenue,
    costofGoodsAndServicesSold: costOfRevenue,
    operatingIncome,
    sellingGeneralAndAdministrative: sga,
    researchAndDevelopment: rd,
    operatingExpenses,
    investmentIncomeNet: millions(interestIncome * 0.5),
    netInterestIncome: interestIncome - interestExpense,
    interestIncome,
    interestExpense,
    nonInterestIncome: millions(revenue * 0.02),
    otherNonOperatingIncome,
    depreciation: millions(depreciationAndAmortization * 0.7),
    depreciationAndAmortization,
    incomeBeforeTax,
    incomeTaxExpense,
    interestAndDebtExpense: interestExpense,
    netIncomeFromContinuingOperations: netIncome,
    comprehensiveIncomeNetOfTax: netIncome + millions(revenue * noise(0.01)),
    ebit: incomeBeforeTax + interestExpense,
    ebitda: incomeBeforeTax + interestExpense + depreciationAndAmortization,
    netIncome,
  };

  const totalCurrentAssets = millions(totalAssets * uniform(random, 0.25, 0.45));
  const cash = millions(totalCurrentAssets * 0.35);
  const shortTermInvestments = millions(totalCurrentAssets * 0.08);
  const receivables = millions(totalCurrentAssets * 0.3);
  const inventory = millions(totalCurrentAssets * 0.12);
  const totalNonCurrentAssets = totalAssets - totalCurrentAssets;
  const propertyPlantEquipment = millions(totalNonCurrentAssets * 0.3);
  const goodwill = millions(totalNonCurrentAssets * 0.25);
  const intangiblesExGoodwill = millions(totalNonCurrentAssets * 0.1);
  const longTermInvestments = millions(totalNonCurrentAssets * 0.05);
  const totalLiabilities = millions(totalAssets * profile.liabilitiesToAssets);
  const totalCurrentLiabilities = millions(totalLiabilities * uniform(random, 0.25, 0.4));
  const shortTermDebt = millions(debt * 0.1);
  const currentLongTermDebt = millions(debt * 0.08);
  const accountsPayable = millions(totalCurrentLiabilities * 0.3);
  const deferredRevenue = millions(totalCurrentLiabilities * 0.2);
  const totalNonCurrentLiabilities = totalLiabilities - totalCurrentLiabilities;
  const longTermDebtNoncurrent = Math.min(
    debt - shortTermDebt - currentLongTermDebt,
    millions(totalNonCurrentLiabilities * 0.85),
  );
  const capitalLeaseObligations = millions(totalNonCurrentLiabilities * 0.04);
  const equity = totalAssets - totalLiabilities;
  const commonStock = millions(equity * 0.4);
  const treasuryStock = millions(equity * 0.3);
  const balance: Figures<BalanceField> = {
    totalAssets,
    totalCurrentAssets,
    cashAndCashEquivalentsAtCarryingValue: cash,
    cashAndShortTermInvestments: cash + shortTermInvestments,
    inventory,
    currentNetReceivables: receivables,
    totalNonCurrentAssets,
    propertyPlantEquipment,
    accumulatedDepreciationAmortizationPPE: millions(propertyPlantEquipment * 1.2),
    intangibleAssets: goodwill + intangiblesExGoodwill,
    intangibleAssetsExcludingGoodwill: intangiblesExGoodwill,
    goodwill,
    investments: longTermInvestments + shortTermInvestments,
    longTermInvestments,
    shortTermInvestments,
    otherCurrentAssets: totalCurrentAssets - cash - shortTermInvestments - receivables - inventory,
    otherNonCurrentAssets:
      totalNonCurrentAssets - propertyPlantEquipment - goodwill - intangiblesExGoodwill - longTermInvestments,
    totalLiabilities,
    totalCurrentLiabilities,
    currentAccountsPayable: accountsPayable,
    deferredRevenue,
    currentDebt: shortTermDebt + currentLongTermDebt,
    shortTermDebt,
    totalNonCurrentLiabilities,
    capitalLeaseObligations,
    longTermDebt: longTermDebtNoncurrent + currentLongTermDebt,
    currentLongTermDebt,
    longTermDebtNoncurrent,
    shortLongTermDebtTotal: longTermDebtNoncurrent + currentLongTermDebt + shortTermDebt,
    otherCurrentLiabilities:
      totalCurrentLiabilities - accountsPayable - deferredRevenue - shortTermDebt - currentLongTermDebt,
    otherNonCurrentLiabilities: totalNonCurrentLiabilities - longTermDebtNoncurrent - capitalLeaseObligations,
    totalShareholderEquity: equity,
    treasuryStock,
    retainedEarnings: equity - commonStock + treasuryStock,
    commonStock,
    commonStockSharesOutstanding: profile.sharesOutstanding,
  };

  const changeInReceivables = millions(revenue * noise(0.02));
  const changeInInventory = millions(revenue * noise(0.01));
  const changeInOperatingAssets = millions(revenue * noise(0.02));
  const changeInOperatingLiabilities = millions(revenue * noise(0.02));
  const stockBasedCompensation = millions(revenue * 0.02);
  const operatingCashflow =
    netIncome +
    depreciationAndAmortization +
    stockBasedCompensation -
    changeInReceivables -
    changeInInventory -
    changeInOperatingAssets +
    changeInOperatingLiabilities;
  const capitalExpenditures = millions(revenue * profile.capexRatio);
  const cashflowFromInvestment = -capitalExpenditures - millions(revenue * Math.abs(noise(0.02)));
  const dividendPayout = millions(Math.max(0, netIncome) * profile.payoutRatio);
  const buyback = millions(Math.max(0, netIncome) * profile.buybackRatio);
  const debtIssued = millions(debt * noise(0.03));
  const shortTermDebtNet = millions(shortTermDebt * noise(0.1));
  const cashflowFromFinancing = -dividendPayout - buyback + debtIssued + shortTermDebtNet;
  const cash_: Figures<CashFlowField> = {
    operatingCashflow,
    paymentsForOperatingActivities: millions(revenue * 0.03),
    proceedsFromOperatingActivities: millions(revenue * 0.01),
    changeInOperatingLiabilities,
    changeInOperatingAssets,
    depreciationDepletionAndAmortization: depreciationAndAmortization,
    capitalExpenditures,
    changeInReceivables,
    changeInInventory,
    profitLoss: netIncome,
    cashflowFromInvestment,
    cashflowFromFinancing,
    proceedsFromRepaymentsOfShortTermDebt: shortTermDebtNet,
    paymentsForRepurchaseOfCommonStock: buyback,
    paymentsForRepurchaseOfEquity: buyback,
    paymentsForRepurchaseOfPreferredStock: 0,
    dividendPayout,
    dividendPayoutCommonStock: dividendPayout,
    dividendPayoutPreferredStock: 0,
    proceedsFromIssuanceOfCommonStock: millions(revenue * 0.002),
    proceedsFromIssuanceOfLongTermDebtAndCapitalSecuritiesNet: debtIssued,
    proceedsFromIssuanceOfPreferredStock: 0,
    proceedsFromRepurchaseOfEquity: -buyback,
    proceedsFromSaleOfTreasuryStock: millions(revenue * 0.001),
    stockBasedCompensation,
    changeInCashAndCashEquivalents: operatingCashflow + cashflowFromInvestment + cashflowFromFinancing,
    changeInExchangeRate: millions(revenue * noise(0.002)),
    netIncome,
  };
  return { income, balance, cash: cash_ };
}

/** Everything a company has reported by `today`, newest first. */
interface ReportedPeriods {
  quarters: { period: Quarter; figures: QuarterFigures }[];
  years: { year: number; quarters: QuarterFigures[] }[];
}

function reportedPeriods(symbol: string, today: string, listing?: Listing): ReportedPeriods {
  const profile = companyProfile(symbol);
  const firstYear = Math.max(
    FIRST_REPORTED_YEAR,
    listing ? Number(listing.ipoDate.slice(0, 4)) : FIRST_REPORTED_YEAR,
  );
  const quarters: ReportedPeriods['quarters'] = [];
  const cache = new Map<string, QuarterFigures>();
  const figuresOf = (period: Quarter) => {
    const key = `${period.year}Q${period.quarter}`;
    let figures = cache.get(key);
    if (figures === undefined) {
      figures = quarterFigures(symbol, profile, period);
      cache.set(key, figures);
    }
    return figures;
  };
  for (
    let period = latestReportedQuarter(today);
    period.year >= firstYear && quarters.length < MAX_QUARTERLY_REPORTS;
    period = previousQuarter(period)
  ) {
    quarters.push({ period, figures: figuresOf(period) });
  }
  const years: ReportedPeriods['years'] = [];
  let year = Number(today.slice(0, 4));
  if (addDays(`${year}-12-31`, ANNUAL_REPORTING_LAG_DAYS) > today) year -= 1;
  if (addDays(`${year}-12-31`, ANNUAL_REPORTING_LAG_DAYS) > today) year -= 1;
  for (; year >= firstYear && years.length < MAX_ANNUAL_REPORTS; year -= 1) {
    years.push({ year, quarters: [1, 2, 3, 4].map((quarter) => figuresOf({ year, quarter })) });
  }
  return { quarters, years };
}

function toRawReport<Field extends string>(
  fiscalDateEnding: string,
  fields: readonly Field[],
  figures: Figures<Field>,
  missing: ReadonlySet<string>,
): RawReport {
  const report: RawReport = { fiscalDateEnding, reportedCurrency: 'USD' };
  for (const field of fields) report[field] = missing.has(field) ? 'None' : String(figures[field]);
  return report;
}

function sumFigures<Field extends string>(
  fields: readonly Field[],
  parts: readonly Figures<Field>[],
): Figures<Field> {
  const total = {} as Figures<Field>;
  for (const field of fields) {
    let sum = 0;
    for (const part of parts) sum += part[field];
    total[field] = sum;
  }
  return total;
}

export type StatementFunction = 'INCOME_STATEMENT' | 'BALANCE_SHEET' | 'CASH_FLOW';

/** A statement response body (before JSON serialisation) as of the trading date `today`. */
export function syntheticStatement(
  statement: StatementFunction,
  symbol: string,
  today: string,
  listing?: Listing,
): RawStatement {
  const profile = companyProfile(symbol);
  const { quarters, years } = reportedPeriods(symbol, today, listing);
  const missing = profile.missing;
  const build = (
    fiscalDateEnding: string,
    parts: readonly QuarterFigures[],
    isAnnual: boolean,
  ): RawReport => {
    if (statement === 'INCOME_STATEMENT') {
      const figures = sumFigures(
        INCOME_STATEMENT_FIELDS,
        parts.map((part) => part.income),
      );
      return toRawReport(fiscalDateEnding, INCOME_STATEMENT_FIELDS, figures, missing);
    }
    if (statement === 'CASH_FLOW') {
      const figures = sumFigures(
        CASH_FLOW_FIELDS,
        parts.map((part) => part.cash),
      );
      return toRawReport(fiscalDateEnding, CASH_FLOW_FIELDS, figures, missing);
    }
    // A balance sheet is a snapshot: the annual one is the fourth quarter's.
    const snapshot = isAnnual ? parts[parts.length - 1] : parts[0];
    if (snapshot === undefined) throw new Error('no balance sheet snapshot');
    return toRawReport(fiscalDateEnding, BALANCE_SHEET_FIELDS, snapshot.balance, missing);
  };
  return {
    symbol: canonicalSymbol(symbol),
    annualReports: years.map(({ year, quarters: parts }) => build(`${year}-12-31`, parts, true)),
    quarterlyReports: quarters.map(({ period, figures }) => build(quarterEnd(period), [figures], false)),
  };
}

/** Python's str(float): what AlphaVantage's ratio fields look like ("0.0308", "13.0", "320.7"). */
function pythonFloat(value: number, decimals: number): string {
  const rounded = Number(value.toFixed(decimals));
  const text = String(Object.is(rounded, -0) ? 0 : rounded);
  return Number.isInteger(rounded) ? `${text}.0` : text;
}

/** Rounds to `significant` digits, then prints like Python: "0.156", "2.152", "0.0537". */
function pythonSignificant(value: number, significant: number): string {
  if (value === 0) return '0.0';
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  return pythonFloat(value, Math.max(0, significant - 1 - magnitude));
}

/**
 * OVERVIEW for a common stock as of trading date `today`, using `bars` (ascending) for the price-based
 * fields. Returns `{}` for ETFs, as AlphaVantage does for symbols it has no company data for.
 */
export function syntheticOverview(
  symbol: string,
  today: string,
  bars: readonly DailyBar[],
  listing?: Listing,
): Record<string, string> {
  const lastBar = bars.at(-1);
  if (listing?.assetType === 'ETF' || lastBar === undefined) return {};
  const canonical = canonicalSymbol(symbol);
  const profile = companyProfile(symbol);
  const random: RandomSource = seededRandom(`overview:${canonical}:${today}`);
  const { quarters } = reportedPeriods(symbol, today, listing);
  const ttm = quarters.slice(0, 4).map((entry) => entry.figures);
  const yearAgo = quarters[4]?.figures;
  const latest = quarters[0];
  if (latest === undefined) return {};
  const sum = (pick: (figures: QuarterFigures) => number) =>
    ttm.reduce((total, figures) => total + pick(figures), 0);
  const price = lastBar.close;
  const shares = profile.sharesOutstanding;
  const revenueTtm = sum((figures) => figures.income.totalRevenue);
  const netIncomeTtm = sum((figures) => figures.income.netIncome);
  const ebitdaTtm = sum((figures) => figures.income.ebitda);
  const dividendsTtm = sum((figures) => figures.cash.dividendPayout);
  const balance = latest.figures.balance;
  const equity = balance.totalShareholderEquity;
  const eps = netIncomeTtm / shares;
  const marketCap = Math.round(price * shares);
  const enterpriseValue =
    marketCap + balance.shortLongTermDebtTotal - balance.cashAndCashEquivalentsAtCarryingValue;
  const dividendPerShare = dividendsTtm / shares;
  const lastYear = bars.slice(-252);
  const average = (count: number) =>
    bars.slice(-count).reduce((total, bar) => total + bar.close, 0) / Math.min(count, bars.length);
  const none = 'None';
  const ratio = (numerator: number, denominator: number, significant = 3) =>
    denominator === 0 ? none : pythonSignificant(numerator / denominator, significant);
  const growth = (now: number, before: number | undefined) =>
    before === undefined || before <= 0 ? none : pythonSignificant(now / before - 1, 3);
  const exDividendDate = latestTradingDayOnOrBefore(addDays(quarterEnd(latest.period), 38));
  const ratings = [0.1, 0.35, 0.4, 0.1, 0.05].map((share) =>
    Math.round(share * 20 * uniform(random, 0.5, 1.5)),
  );
  const name = listing?.name.trim() || `${canonical} Synthetic Corp`;
  const peRatio = eps > 0 ? pythonFloat(price / eps, 2) : none;
  const values: Record<(typeof OVERVIEW_FIELDS)[number], string> = {
    Symbol: canonical,
    AssetType: 'Common Stock',
    Name: name,
    Description: `${name} is a synthetic company generated by the Horton AlphaVantage simulator. It operates in the ${profile.industry.toLowerCase()} industry and exists only for tests.`,
    CIK: String(profile.cik),
    Exchange: listing?.exchange ?? 'NYSE',
    Currency: 'USD',
    Country: 'USA',
    Sector: profile.sector,
    Industry: profile.industry,
    Address: profile.address,
    OfficialSite: `https://www.${canonical.toLowerCase().replace(/[^a-z0-9]/g, '')}.example`,
    FiscalYearEnd: 'December',
    LatestQuarter: quarterEnd(latest.period),
    MarketCapitalization: String(marketCap),
    EBITDA: String(ebitdaTtm),
    PERatio: peRatio,
    PEGRatio: eps > 0 ? pythonSignificant(uniform(random, 0.6, 3.5), 4) : none,
    BookValue: pythonFloat(equity / shares, 2),
    DividendPerShare: dividendPerShare > 0 ? pythonFloat(dividendPerShare, 2) : none,
    DividendYield: dividendPerShare > 0 ? pythonSignificant(dividendPerShare / price, 3) : none,
    EPS: pythonFloat(eps, 2),
    RevenuePerShareTTM: pythonFloat(revenueTtm / shares, 2),
    ProfitMargin: ratio(netIncomeTtm, revenueTtm),
    OperatingMarginTTM: ratio(latest.figures.income.operatingIncome, latest.figures.income.totalRevenue),
    ReturnOnAssetsTTM: ratio(netIncomeTtm, balance.totalAssets),
    ReturnOnEquityTTM: equity > 0 ? ratio(netIncomeTtm, equity) : none,
    RevenueTTM: String(revenueTtm),
    GrossProfitTTM: String(sum((figures) => figures.income.grossProfit)),
    DilutedEPSTTM: pythonFloat(eps * 0.99, 2),
    QuarterlyEarningsGrowthYOY: growth(latest.figures.income.netIncome, yearAgo?.income.netIncome),
    QuarterlyRevenueGrowthYOY: growth(latest.figures.income.totalRevenue, yearAgo?.income.totalRevenue),
    AnalystTargetPrice: pythonFloat(price * Math.exp(0.08 + standardNormal(random) * 0.1), 2),
    AnalystRatingStrongBuy: String(ratings[0]),
    AnalystRatingBuy: String(ratings[1]),
    AnalystRatingHold: String(ratings[2]),
    AnalystRatingSell: String(ratings[3]),
    AnalystRatingStrongSell: String(ratings[4]),
    TrailingPE: peRatio,
    ForwardPE: eps > 0 ? pythonFloat((price / eps) * uniform(random, 0.75, 1.05), 2) : none,
    PriceToSalesRatioTTM: ratio(marketCap, revenueTtm, 4),
    PriceToBookRatio: equity > 0 ? pythonFloat((price * shares) / equity, 2) : none,
    EVToRevenue: ratio(enterpriseValue, revenueTtm, 4),
    EVToEBITDA: ebitdaTtm > 0 ? pythonFloat(enterpriseValue / ebitdaTtm, 2) : none,
    Beta: pythonSignificant(profile.beta, 3),
    '52WeekHigh': pythonFloat(Math.max(...lastYear.map((bar) => bar.high)), 2),
    '52WeekLow': pythonFloat(Math.min(...lastYear.map((bar) => bar.low)), 2),
    '50DayMovingAverage': pythonFloat(average(50), 2),
    '200DayMovingAverage': pythonFloat(average(200), 2),
    SharesOutstanding: String(shares),
    SharesFloat: String(Math.round(shares * 0.995)),
    PercentInsiders: pythonSignificant(uniform(random, 0.05, 12), 3),
    PercentInstitutions: pythonSignificant(uniform(random, 30, 90), 5),
    DividendDate: dividendPerShare > 0 ? addDays(exDividendDate, 30) : none,
    ExDividendDate: dividendPerShare > 0 ? exDividendDate : none,
  };
  return values;
}
