// The packaged app's Electron fuses, read the way electron-builder reads build/electron-builder.yml. Packaging needs
// the Electron binary, which the tests do not download: this checks what electron-builder is configured to flip and
// the @electron/fuses options it turns that into (the ones it hands to flipFuses).
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// electron-builder's own copies of its config loader and of @electron/fuses, not whatever else is installed.
const fromBuilder = createRequire(createRequire(import.meta.url).resolve('electron-builder'));
const fromLib = createRequire(fromBuilder.resolve('app-builder-lib'));
const { PlatformPackager } = fromBuilder('app-builder-lib');
const { getConfig, validateConfiguration } = fromLib('./util/config/config.js');
const { DebugLogger } = fromLib('builder-util');
const { FuseV1Options } = fromLib('@electron/fuses');

const loadConfig = async () => {
  const config = await getConfig(ROOT, 'build/electron-builder.yml', null);
  await validateConfiguration(config, new DebugLogger(false));
  return config;
};

test('electron-builder accepts the config and flips each fuse as listed', async () => {
  const config = await loadConfig();
  const fuses = await PlatformPackager.prototype.generateFuseConfig.call(undefined, config.electronFuses);
  const expected = {
    RunAsNode: false,
    EnableNodeOptionsEnvironmentVariable: false,
    EnableNodeCliInspectArguments: false,
    EnableCookieEncryption: true,
    EnableEmbeddedAsarIntegrityValidation: true,
    OnlyLoadAppFromAsar: true,
  };
  for (const [name, value] of Object.entries(expected)) {
    assert.ok(name in FuseV1Options, `@electron/fuses knows no fuse ${name}`);
    assert.equal(fuses[FuseV1Options[name]], value, `fuse ${name}`);
  }
});

test('the app is packed into app.asar, which OnlyLoadAppFromAsar and the integrity check rely on', async () => {
  const config = await loadConfig();
  assert.equal(config.asar, true);
});

test('the `skyferry` launchers ship in resources/bin, and the Linux binary has the name bin/skyferry looks for', async () => {
  const config = await loadConfig();
  assert.deepEqual(config.extraResources, [{ from: 'bin', to: 'bin', filter: ['skyferry', 'skyferry.cmd'] }]);
  assert.equal(config.linux.executableName, 'skyferry');
  const launcher = readFileSync(path.join(ROOT, 'bin', 'skyferry'), 'utf8');
  assert.match(launcher, /"\$here\/\.\.\/\.\.\/skyferry"/);
  assert.match(launcher, /"\$here\/\.\.\/\.\.\/MacOS\/Skyferry"/);
  assert.equal(config.productName, 'Skyferry');
  assert.ok(statSync(path.join(ROOT, 'bin', 'skyferry')).mode & 0o111, 'bin/skyferry is executable');
  assert.match(readFileSync(path.join(ROOT, 'bin', 'skyferry.cmd'), 'utf8'), /%~dp0\.\.\\\.\.\\Skyferry\.exe/);
});
