// A vitest global set-up: starts the emulator once for every test file and hands its line to
// them (`inject('cognitoEmulator')`); stops it when the run ends.
import { start } from 'cognito-flows-emulator';

let emulator;

export async function setup(project) {
  emulator = await start({ users: [{ username: 'alice', password: 'Passw0rd!' }] });
  project.provide('cognitoEmulator', emulator.info);
}

export async function teardown() {
  await emulator?.stop();
}
