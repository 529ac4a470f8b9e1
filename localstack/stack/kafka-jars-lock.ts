import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './options.ts';

/** One jar of the broker classpath, pinned by URL and checksum. */
export interface LockedArtifact {
  /** `group:artifact:version` */
  coordinates: string;
  url: string;
  sha256: string;
  size: number;
}

export interface KafkaJarsLock {
  kafkaVersion: string;
  /** What the list was resolved from (Maven coordinates). */
  roots: string[];
  repository: string;
  artifacts: LockedArtifact[];
}

export const KAFKA_VERSION = '3.9.1';
export const MAVEN_CENTRAL = 'https://repo1.maven.org/maven2';
/**
 * The broker (Scala 2.13 build) plus the SLF4J binding its distribution ships: Kafka 3.9 logs
 * through slf4j-api 1.7.36, and slf4j-reload4j 1.7.36 routes that to reload4j (log4j 1.2 API).
 */
export const KAFKA_ROOT_ARTIFACTS = [
  `org.apache.kafka:kafka_2.13:${KAFKA_VERSION}`,
  'org.slf4j:slf4j-reload4j:1.7.36',
];

export function kafkaJarsLockPath(rootDir: string = repoRoot()): string {
  return path.join(rootDir, 'localstack', 'kafka-jars.lock.json');
}

export function readKafkaJarsLock(rootDir: string = repoRoot()): KafkaJarsLock {
  const lock = JSON.parse(readFileSync(kafkaJarsLockPath(rootDir), 'utf8')) as KafkaJarsLock;
  for (const artifact of lock.artifacts) {
    if (!/^[0-9a-f]{64}$/.test(artifact.sha256) || !artifact.url.startsWith('https://')) {
      throw new Error(`kafka-jars.lock.json: bad entry for ${artifact.coordinates}`);
    }
  }
  return lock;
}

/** Maven repository layout: `group/as/path/artifact/version/artifact-version.jar`. */
export function mavenJarPath(coordinates: string): string {
  const [group, artifact, version] = coordinates.split(':');
  if (!group || !artifact || !version) throw new Error(`not group:artifact:version: ${coordinates}`);
  return [...group.split('.'), artifact, version, `${artifact}-${version}.jar`].join('/');
}
