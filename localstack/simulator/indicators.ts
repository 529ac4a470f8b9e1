/** The simulator serves the same indicator maths the indicators handler computes from stored closes. */
export * from '../../functions/shared/domain/indicators.ts';
