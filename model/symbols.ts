/**
 * The one ticker rule, shared by the message contracts (model/messages.ts), the universe selection and the
 * watchlist (functions/shared/domain/universe.ts), so a symbol the universe would skip can never travel in a
 * command either.
 *
 * Tickers AlphaVantage can be asked about: a root of up to 10 letters/digits starting with a letter, optionally
 * followed by up to two `.` or `-` suffixes: `IBM`, `BRK.B`, `BF-B`, `ABR-P-D` (preferred series), `AAM-WS`
 * (warrants), `TSCO.LON` / `RELIANCE.BSE` (non-US listings). Not `A-`, `A..B`, `0` or a date such as
 * `2024-01-02`; LISTING_STATUS also has rows such as `-P-HIZ`, `NYCB- PR-U`, `BC/PB`, `ACWV:BAT` or
 * `NXT(EXP20091224)` that no quote endpoint accepts. Upper case: inputs are upper-cased once, at the edge.
 */
export const TICKER_PATTERN = /^[A-Z][A-Z0-9]{0,9}(?:[.-][A-Z0-9]{1,4}){0,2}$/;
