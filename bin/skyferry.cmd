@echo off
rem skyferry: the command line installed with the Skyferry app (`skyferry --help`). It runs the app's own binary
rem with --skyferry-cli, so a command uses the app's accounts, Windows data protection and job journal.
rem SKYFERRY_APP names that binary when it is not where the installer put it (beside the resources folder).
setlocal
rem The app's binary must start as the app (its main process, Electron's safeStorage), not as plain Node.
set ELECTRON_RUN_AS_NODE=
if not defined SKYFERRY_APP set "SKYFERRY_APP=%~dp0..\..\Skyferry.exe"
if not exist "%SKYFERRY_APP%" (
  echo skyferry: the Skyferry app was not found at "%SKYFERRY_APP%"; set SKYFERRY_APP to its binary 1>&2
  exit /b 1
)
"%SKYFERRY_APP%" --skyferry-cli %*
exit /b %ERRORLEVEL%
