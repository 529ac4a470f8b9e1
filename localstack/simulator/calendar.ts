/** The simulator trades on the same NYSE calendar the freshness rules use: one implementation, one test. */
export * from '../../model/domain/exchange-calendar.ts';
