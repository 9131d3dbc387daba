<#
  Installs sshpod for the current user on Windows (PowerShell 5+), step for step as install.sh:
  the program under PREFIX\lib\sshpod, a launcher PREFIX\bin\sshpod.cmd (and kubectl's plugin
  beside it: kubectl-ssh.cmd, kubectl_complete-ssh.cmd), then `sshpod configure` (asking first
  unless -Yes). The ProxyCommand it configures names node.exe and the script by
  absolute path with forward slashes, which Windows' ssh.exe runs without a shell.
    .\install.ps1 [-Prefix DIR] [-Yes]      install, or upgrade in place (PREFIX defaults to ~\.local)
    .\install.ps1 -Uninstall [-Prefix DIR]  remove the program, the launcher and the ssh config block
  Run from a checkout, it installs that checkout (building it if needed); run on its own, it
  installs the sshpod package from the npm registry.
#>
param(
  [string]$Prefix = (Join-Path $HOME '.local'),
  [switch]$Yes,
  [switch]$Uninstall
)
$ErrorActionPreference = 'Stop'
$Package = if ($env:SSHPOD_PACKAGE) { $env:SSHPOD_PACKAGE } else { 'sshpod' }

function Say([string]$Message) { [Console]::Error.WriteLine("install.ps1: $Message") }
function Die([string]$Message) { Say $Message; exit 1 }

$Lib = Join-Path $Prefix 'lib\sshpod'
$Launcher = Join-Path $Prefix 'bin\sshpod.cmd'
# kubectl runs kubectl-ssh for `kubectl ssh` (on Windows, kubectl finds .cmd plugins), and
# kubectl_complete-ssh to complete its words.
$KubectlPlugins = @('kubectl-ssh', 'kubectl_complete-ssh')

if ($Uninstall) {
  if (Test-Path $Launcher) { & $Launcher unconfigure --purge }
  $PluginLaunchers = $KubectlPlugins | ForEach-Object { Join-Path $Prefix "bin\$_.cmd" }
  foreach ($path in @($Lib, "$Lib.new", "$Lib.old", $Launcher) + $PluginLaunchers) {
    if (Test-Path $path) { Remove-Item -Recurse -Force $path }
  }
  Say "removed sshpod from $Prefix"
  exit 0
}

$node = Get-Command node -ErrorAction SilentlyContinue
if (-not $node) { Die 'Node.js 20 or newer is needed: install it from https://nodejs.org (or: winget install OpenJS.NodeJS.LTS)' }
& node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'
if ($LASTEXITCODE -ne 0) { Die "Node.js 20 or newer is needed, this is $(& node --version): upgrade it (https://nodejs.org)" }
$NodePath = (& node -e 'process.stdout.write(process.execPath)')
if (-not (Get-Command ssh -ErrorAction SilentlyContinue)) {
  Die 'the OpenSSH client (ssh.exe) is needed: Settings > Apps > Optional features > OpenSSH Client'
}

$Work = Join-Path ([IO.Path]::GetTempPath()) ("sshpod-install-" + [Guid]::NewGuid())
New-Item -ItemType Directory -Path $Work | Out-Null
try {
  $Here = $PSScriptRoot
  if ($Here -and (Test-Path (Join-Path $Here 'package.json')) -and (Select-String -Quiet -Path (Join-Path $Here 'package.json') -Pattern '"name": "sshpod"') -and (Test-Path (Join-Path $Here 'src'))) {
    Say "installing from the checkout in $Here"
    if (-not (Test-Path (Join-Path $Here 'dist\sshpod.cjs'))) {
      Push-Location $Here
      try {
        if (-not (Test-Path 'node_modules')) { & npm ci --no-audit --no-fund | Out-Host }
        & npm run --silent build | Out-Host
      } finally { Pop-Location }
    }
    $Source = $Here
  } else {
    Say "fetching $Package from the npm registry"
    Push-Location $Work
    try { & npm pack --silent $Package | Out-Null } finally { Pop-Location }
    $Tarball = Get-ChildItem -Path $Work -Filter '*.tgz' | Select-Object -First 1
    if (-not $Tarball) { Die "could not download $Package from the npm registry" }
    & tar -xzf $Tarball.FullName -C $Work
    $Source = Join-Path $Work 'package'
  }

  # Build the new copy beside the old one, then swap: an interrupted upgrade leaves the old one.
  New-Item -ItemType Directory -Force -Path (Join-Path $Prefix 'lib'), (Join-Path $Prefix 'bin') | Out-Null
  if (Test-Path "$Lib.new") { Remove-Item -Recurse -Force "$Lib.new" }
  New-Item -ItemType Directory -Path "$Lib.new" | Out-Null
  foreach ($part in @('package.json', 'README.md', 'bin', 'dist', 'bundles')) {
    $from = Join-Path $Source $part
    if (Test-Path $from) { Copy-Item -Recurse -Force $from "$Lib.new\" }
  }
  if (Test-Path "$Lib.new\bundles\build") { Remove-Item -Recurse -Force "$Lib.new\bundles\build" }
  if (-not (Test-Path "$Lib.new\dist\sshpod.cjs") -or -not (Test-Path "$Lib.new\bundles\manifest.json")) {
    Die 'the sshpod package is incomplete (no dist/sshpod.cjs or bundles/manifest.json)'
  }
  if (Test-Path "$Lib.old") { Remove-Item -Recurse -Force "$Lib.old" }
  if (Test-Path $Lib) { Move-Item $Lib "$Lib.old" }
  Move-Item "$Lib.new" $Lib
  if (Test-Path "$Lib.old") { Remove-Item -Recurse -Force "$Lib.old" }

  $Script = Join-Path $Lib 'bin\sshpod.cjs'
  Set-Content -Encoding ASCII -Path $Launcher -Value "@echo off`r`nrem sshpod launcher, written by install.ps1`r`n`"$NodePath`" `"$Script`" %*"
  foreach ($plugin in $KubectlPlugins) {
    $PluginScript = Join-Path $Lib "bin\$plugin.cjs"
    Set-Content -Encoding ASCII -Path (Join-Path $Prefix "bin\$plugin.cmd") -Value "@echo off`r`nrem sshpod's kubectl plugin launcher, written by install.ps1`r`n`"$NodePath`" `"$PluginScript`" %*"
  }
  Say "installed sshpod $(& $Launcher --version) to $Lib (launcher: $Launcher)"

  if (-not (($env:PATH -split ';') -contains (Join-Path $Prefix 'bin'))) {
    Say "note: $(Join-Path $Prefix 'bin') is not on your PATH; add it to use the sshpod command directly"
  }

  if (-not $Yes) {
    $answer = Read-Host 'Add the Host *.sshpod block to ~/.ssh/config? [Y/n]'
    if ($answer -notin @('', 'y', 'Y', 'yes', 'YES')) {
      Say 'skipped the ssh config; run later: sshpod configure'
      exit 0
    }
  }
  & $Launcher configure --yes
  exit $LASTEXITCODE
} finally {
  Remove-Item -Recurse -Force $Work -ErrorAction SilentlyContinue
}
