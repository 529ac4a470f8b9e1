/**
 * One quarter's three statements, drawn from the quarter's own seeded stream (so a quarter's figures never
 * change as the clock moves on) and hanging together: gross profit = revenue - cost of revenue, assets =
 * liabilities + equity, the cash-flow net income is the income statement's. Revenue follows the share price of
 * the quarter: a company is sized so that its market value is `targetPriceEarnings` times its earnings, which
 * keeps P/E, price/sales and the other price ratios of OVERVIEW plausible whatever the price walk did.
 */
import { type RandomSource, seededRandom, standardNormal, uniform } from '../random.ts';
import { canonicalSymbol } from '../series.ts';
import { type CompanyProfile, expectedNetMargin } from './company.ts';
import type { BalanceField, CashFlowField, Figures, IncomeField } from './fields.ts';
import type { Quarter } from './periods.ts';

export interface QuarterFigures {
  income: Figures<IncomeField>;
  balance: Figures<BalanceField>;
  cash: Figures<CashFlowField>;
}

const millions = (value: number) => Math.round(value / 1e6) * 1e6;

/** The draws of one quarter, in the order they are taken from its stream. */
interface QuarterDraw {
  random: RandomSource;
  noise: (scale: number) => number;
  profile: CompanyProfile;
  revenue: number;
}

/** `priceLevel`: the quarter's average close (periods.ts), which sets the company's size that quarter. */
export function quarterFigures(
  symbol: string,
  profile: CompanyProfile,
  period: Quarter,
  priceLevel: number,
): QuarterFigures {
  const random = seededRandom(`fundamentals:${canonicalSymbol(symbol)}:${period.year}Q${period.quarter}`);
  const noise = (scale: number) => standardNormal(random) * scale;
  const seasonal = 1 + 0.06 * Math.sin((period.quarter / 4) * 2 * Math.PI);
  const annualEarnings = (priceLevel * profile.sharesOutstanding) / profile.targetPriceEarnings;
  const revenue = millions(
    ((annualEarnings / expectedNetMargin(profile)) * seasonal * Math.exp(noise(0.04))) / 4,
  );
  const draw: QuarterDraw = { random, noise, profile, revenue };
  const { income, totalAssets, debt } = incomeFigures(draw);
  const balance = balanceFigures(draw, totalAssets, debt);
  const cash = cashFlowFigures(draw, income, debt, balance.shortTermDebt);
  return { income, balance, cash };
}

// The three functions below are long lists of named figures, one line each: splitting them further would
// only scatter one statement's arithmetic over several places.

function incomeFigures({ noise, profile, revenue }: QuarterDraw) {
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
  return { income, totalAssets, debt };
}

// long because: one balance sheet, field by field; each line derives one reported figure from the ones above
function balanceFigures(
  { random, profile }: QuarterDraw,
  totalAssets: number,
  debt: number,
): Figures<BalanceField> {
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
  return {
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
}

function cashFlowFigures(
  { noise, profile, revenue }: QuarterDraw,
  income: Figures<IncomeField>,
  debt: number,
  shortTermDebt: number,
): Figures<CashFlowField> {
  const { netIncome, depreciationAndAmortization } = income;
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
  const cashFlow: Figures<CashFlowField> = {
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
  return cashFlow;
}
