/**
 * Maintainer tool, NOT needed for a local run: regenerates localstack/kafka-jars.lock.json.
 *
 *   npx tsx localstack/stack/lock-kafka-jars.ts
 *
 * Needs Maven. Resolves the broker's runtime classpath with `mvn dependency:list` against a throwaway
 * pom, hashes each jar Maven downloaded, and cross-checks it against the `.sha1` Maven Central
 * publishes, so that the committed SHA-256 values are those of Central's files. Run it after changing
 * KAFKA_VERSION or KAFKA_ROOT_ARTIFACTS, then commit the lock file.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  KAFKA_ROOT_ARTIFACTS,
  KAFKA_VERSION,
  type KafkaJarsLock,
  kafkaJarsLockPath,
  type LockedArtifact,
  MAVEN_CENTRAL,
  mavenJarPath,
} from './kafka-jars-lock.ts';

function pomFor(roots: string[]): string {
  const dependencies = roots.map((coordinates) => {
    const [groupId, artifactId, version] = coordinates.split(':');
    return `    <dependency><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId><version>${version}</version></dependency>`;
  });
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>horton.local</groupId>
  <artifactId>kafka-broker-classpath</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
${dependencies.join('\n')}
  </dependencies>
</project>
`;
}

async function main(): Promise<void> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'horton-kafka-lock-'));
  try {
    writeFileSync(path.join(workDir, 'pom.xml'), pomFor(KAFKA_ROOT_ARTIFACTS));
    const listFile = path.join(workDir, 'dependencies.txt');
    execFileSync(
      'mvn',
      [
        '-q',
        '-B',
        'dependency:list',
        '-DincludeScope=runtime',
        '-DoutputAbsoluteArtifactFilename=true',
        `-DoutputFile=${listFile}`,
      ],
      { cwd: workDir, stdio: 'inherit' },
    );
    // Lines look like `   group:artifact:jar:version:scope:/abs/path/artifact-version.jar`.
    const resolved = readFileSync(listFile, 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => /^[\w.-]+:[\w.-]+:jar:/.test(line))
      .map((line) => {
        const [group, artifact, , version, , ...file] = line.split(':');
        return { coordinates: `${group}:${artifact}:${version}`, file: file.join(':') };
      })
      .sort((a, b) => a.coordinates.localeCompare(b.coordinates));

    const artifacts: LockedArtifact[] = [];
    for (const { coordinates, file } of resolved) {
      const bytes = readFileSync(file);
      const url = `${MAVEN_CENTRAL}/${mavenJarPath(coordinates)}`;
      const published = await fetch(`${url}.sha1`);
      if (!published.ok) throw new Error(`${url}.sha1: HTTP ${published.status}`);
      const publishedSha1 = (await published.text()).trim().split(/\s+/)[0];
      const localSha1 = createHash('sha1').update(bytes).digest('hex');
      if (publishedSha1 !== localSha1) {
        throw new Error(
          `${coordinates}: local jar sha1 ${localSha1} differs from Central's ${publishedSha1}`,
        );
      }
      artifacts.push({
        coordinates,
        url,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        size: statSync(file).size,
      });
    }
    const lock: KafkaJarsLock = {
      kafkaVersion: KAFKA_VERSION,
      roots: KAFKA_ROOT_ARTIFACTS,
      repository: MAVEN_CENTRAL,
      artifacts,
    };
    writeFileSync(kafkaJarsLockPath(), `${JSON.stringify(lock, null, 2)}\n`);
    process.stdout.write(`wrote ${artifacts.length} artifacts to ${kafkaJarsLockPath()}\n`);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
