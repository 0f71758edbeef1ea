#!/usr/bin/env node
// Builds the npm packages of the emulator from a built cognito-emulator binary (no dependencies).
//
//   node packaging/npm/build.mjs platform --platform linux-x64 --binary PATH --out DIR
//       cognito-flows-emulator-linux-x64-VERSION.tgz: the binary, with the `os`, `cpu` (and
//       `libc`) npm uses to install it only there
//   node packaging/npm/build.mjs main --out DIR [--platforms linux-x64,...]
//       cognito-flows-emulator-VERSION.tgz: the JS API, with one optional dependency per
//       platform package (every platform of platforms.json unless --platforms names fewer: a
//       local build lists only the platforms it built, so it installs without the registry)
//
// The version is the emulator crate's (emulator/Cargo.toml); the main package.json must carry
// the same. Prints the path of the .tgz it wrote.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const mainDir = path.join(here, 'cognito-flows-emulator');
const platforms = JSON.parse(fs.readFileSync(path.join(mainDir, 'platforms.json'), 'utf8'));
const mainManifest = JSON.parse(fs.readFileSync(path.join(mainDir, 'package.json'), 'utf8'));

function fail(message) {
  process.stderr.write(`build.mjs: ${message}\n`);
  process.exit(2);
}

function crateVersion() {
  const cargo = fs.readFileSync(path.join(here, '..', '..', 'emulator', 'Cargo.toml'), 'utf8');
  const pkg = cargo.split(/^\[/m).find((section) => section.startsWith('package]'));
  const version = pkg && /^version\s*=\s*"([^"]+)"/m.exec(pkg);
  if (!version) fail('no version in the [package] of emulator/Cargo.toml');
  return version[1];
}

function options(args) {
  const parsed = {};
  for (let i = 0; i < args.length; i += 2) {
    const [name, value] = [args[i], args[i + 1]];
    if (!name.startsWith('--') || value === undefined) fail(`expected --name value pairs, got ${args.slice(i).join(' ')}`);
    parsed[name.slice(2)] = value;
  }
  return parsed;
}

// Packs a staged directory into `out`; returns the tarball's path.
function pack(stage, out) {
  fs.mkdirSync(out, { recursive: true });
  const output = execFileSync('npm', ['pack', '--json', '--pack-destination', path.resolve(out)], {
    cwd: stage,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [{ filename }] = JSON.parse(output);
  fs.rmSync(stage, { recursive: true, force: true });
  return path.join(path.resolve(out), filename);
}

function stageDir(out, name) {
  const stage = path.join(path.resolve(out), `.stage-${name}`);
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(stage, { recursive: true });
  return stage;
}

function buildPlatform({ platform, binary, out }) {
  if (!platform || !binary || !out) fail('platform needs --platform, --binary and --out');
  const spec = platforms[platform];
  if (!spec) fail(`unknown platform ${platform}: one of ${Object.keys(platforms).join(', ')}`);
  if (!fs.statSync(binary, { throwIfNoEntry: false })?.isFile()) fail(`${binary} is not a file`);
  const name = `${mainManifest.name}-${platform}`;
  const stage = stageDir(out, name);
  const manifest = {
    name,
    version: crateVersion(),
    description: `The cognito-emulator binary for ${spec.os} ${spec.cpu}, installed by ${mainManifest.name}.`,
    license: mainManifest.license,
    repository: mainManifest.repository,
    os: [spec.os],
    cpu: [spec.cpu],
    ...(spec.libc ? { libc: [spec.libc] } : {}),
    files: ['bin/cognito-emulator'],
    preferUnplugged: true,
  };
  fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  fs.writeFileSync(
    path.join(stage, 'README.md'),
    `# ${name}\n\nThe \`cognito-emulator\` binary for ${spec.os} ${spec.cpu}. Install [${mainManifest.name}](https://www.npmjs.com/package/${mainManifest.name}) instead: it depends on this package where it runs.\n`,
  );
  fs.mkdirSync(path.join(stage, 'bin'));
  const target = path.join(stage, 'bin', 'cognito-emulator');
  fs.copyFileSync(binary, target);
  fs.chmodSync(target, 0o755);
  return pack(stage, out);
}

function buildMain({ out, platforms: only }) {
  if (!out) fail('main needs --out');
  const version = crateVersion();
  if (mainManifest.version !== version) {
    fail(`packaging/npm/cognito-flows-emulator/package.json is ${mainManifest.version}, the emulator crate ${version}: make them equal`);
  }
  const chosen = only ? only.split(',') : Object.keys(platforms);
  for (const key of chosen) if (!platforms[key]) fail(`unknown platform ${key}`);
  const stage = stageDir(out, mainManifest.name);
  for (const file of mainManifest.files) fs.copyFileSync(path.join(mainDir, file), path.join(stage, file));
  fs.copyFileSync(path.join(mainDir, 'README.md'), path.join(stage, 'README.md'));
  fs.chmodSync(path.join(stage, 'cli.js'), 0o755);
  const manifest = {
    ...mainManifest,
    optionalDependencies: Object.fromEntries(chosen.map((key) => [`${mainManifest.name}-${key}`, version])),
  };
  fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return pack(stage, out);
}

const [command, ...rest] = process.argv.slice(2);
const built = {
  platform: buildPlatform,
  main: buildMain,
}[command];
if (!built) fail('usage: build.mjs platform --platform KEY --binary PATH --out DIR | main --out DIR [--platforms a,b]');
process.stdout.write(`${built(options(rest))}\n`);
