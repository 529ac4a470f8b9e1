/**
 * The readable end of `npm start`: what the cycle stored, read back from the emulator's tables (not from the
 * handlers' memory), and what went to the dead-letter topic.
 */
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import Table from 'cli-table3';
import { Kafka, logLevel } from 'kafkajs';
import { type HortonConfig, tableNames } from '../model/config.ts';
import type { HandlerName } from '../model/handlers.ts';
import type { EventSourceMapping } from './runner/event-source-mapping.ts';

interface SummaryInput {
  config: HortonConfig;
  doc: DynamoDBDocumentClient;
  brokers: string[];
  mappings: Map<HandlerName, EventSourceMapping>;
  log: (message: string) => void;
}

/** Colours only on a terminal: logs and CI output stay plain text. */
const tableStyle = process.stdout.isTTY ? { head: ['cyan'] } : { head: [], border: [] };

const money = (value: unknown) => (typeof value === 'number' ? value.toFixed(2) : '-');

async function queryAll(doc: DynamoDBDocumentClient, table: string, symbol: string) {
  const result = await doc.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'symbol = :symbol',
      ExpressionAttributeValues: { ':symbol': symbol },
    }),
  );
  return (result.Items ?? []) as Array<Record<string, unknown>>;
}

export async function deadLetterCount(brokers: string[], topic: string): Promise<number> {
  const admin = new Kafka({ clientId: 'horton-summary', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
  } finally {
    await admin.disconnect();
  }
}

export async function printSummary({ config, doc, brokers, mappings, log }: SummaryInput): Promise<void> {
  const tables = tableNames(config);
  const symbols = [...config.universe.watchlist].sort();

  const overview = new Table({
    style: tableStyle,
    head: [
      'Symbol',
      'Name',
      'Sector',
      'Price',
      'Trading day',
      `Avg last ${config.quotes.rollingWindow}`,
      'RSI',
      'Years',
      'Days',
    ],
  });
  const extremes = new Table({
    style: tableStyle,
    head: ['Symbol', 'Year', 'Highest close', 'on', 'Lowest close', 'on'],
  });
  for (const symbol of symbols) {
    const [quote, fundamentals, years, indicators, history] = await Promise.all([
      doc.send(new GetCommand({ TableName: tables.quotes, Key: { symbol } })).then((r) => r.Item),
      doc
        .send(new GetCommand({ TableName: tables.fundamentals, Key: { symbol, kind: 'OVERVIEW' } }))
        .then((r) => r.Item),
      queryAll(doc, tables.yearlyExtremes, symbol),
      queryAll(doc, tables.indicators, symbol),
      doc
        .send(
          new QueryCommand({
            TableName: tables.dailyPrices,
            KeyConditionExpression: 'symbol = :symbol AND #date > :min',
            ExpressionAttributeNames: { '#date': 'date' },
            ExpressionAttributeValues: { ':symbol': symbol, ':min': '0' },
            Select: 'COUNT',
          }),
        )
        .then((r) => r.Count ?? 0),
    ]);
    const data = (fundamentals?.data ?? {}) as Record<string, unknown>;
    const rsi = indicators.find((item) => item.function === 'RSI')?.latest as { value?: number } | undefined;
    const rolling = quote?.rolling as { average?: number; count?: number } | undefined;
    const latest = quote?.latest as { price?: number; latestTradingDay?: string } | undefined;
    overview.push([
      symbol,
      String(data.name ?? '-').slice(0, 28),
      String(data.sector ?? '-').slice(0, 18),
      money(latest?.price),
      latest?.latestTradingDay ?? '-',
      rolling ? `${money(rolling.average)} (${rolling.count})` : '-',
      money(rsi?.value),
      String(years.length),
      String(history),
    ]);
    for (const year of years.sort((a, b) => Number(b.year) - Number(a.year)).slice(0, 3)) {
      extremes.push([
        symbol,
        String(year.year),
        money(year.highClose),
        String(year.highDate),
        money(year.lowClose),
        String(year.lowDate),
      ]);
    }
  }

  log('\nStored in DynamoDB (read back from the emulator):');
  log(overview.toString());
  log('\nYearly close extremes (latest three trading years per symbol):');
  log(extremes.toString());

  const handled = [...mappings.entries()].map(
    ([name, mapping]) =>
      `${name} ${mapping.counters.records} records/${mapping.counters.invocations} invocations` +
      (mapping.counters.retries ? `, ${mapping.counters.retries} retries` : ''),
  );
  log(`\nHandlers: ${handled.join('; ')}`);
  log(
    `Dead-letter topic ${config.topics.deadLetter.name}: ${await deadLetterCount(brokers, config.topics.deadLetter.name)} records`,
  );
}
