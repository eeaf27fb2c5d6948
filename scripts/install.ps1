<#
.SYNOPSIS
Install cdk-toolkit on Windows from a release archive, checksum-verified: one program,
cdk-toolkit.exe, and the six tools' names as hard links to it.

.DESCRIPTION
  irm https://github.com/cdk-toolkit/cdk-toolkit/releases/latest/download/install.ps1 | iex
  powershell -ExecutionPolicy Bypass -File install.ps1 [-Version V] [-BaseUrl URL] [-Prefix DIR] [-AddToPath]

  -Version V     the release to install (default: the latest; also CDK_TOOLKIT_VERSION)
  -BaseUrl URL   where releases live, as <URL>/v<version>/<archive> and
                 <URL>/v<version>/SHA256SUMS (default: the GitHub release downloads; also
                 CDK_TOOLKIT_BASE_URL). A mirror without -Version publishes the latest
                 version's number at <URL>/latest.
  -Prefix DIR    where the programs go (default: %LOCALAPPDATA%\Programs\cdk-toolkit\bin;
                 also CDK_TOOLKIT_INSTALL_DIR)
  -AddToPath     add that folder to the user's PATH when it is not there (without it,
                 PATH is left alone and the installer says what to do)

It fails closed, as install.sh does: https only (plain http only to this machine), the
checksum checked before anything is unpacked, and on any failure one line and nothing
installed. Each name is replaced with one rename, a failure part way puts the old ones
back, and an install already in place is left as it is, so running it again changes
nothing.
#>
[CmdletBinding()]
param(
    [string]$Version = $env:CDK_TOOLKIT_VERSION,
    [string]$BaseUrl = $env:CDK_TOOLKIT_BASE_URL,
    [string]$Prefix = $env:CDK_TOOLKIT_INSTALL_DIR,
    [switch]$AddToPath
)

# The installer runs in a scope of its own: piped into Invoke-Expression, it leaves the
# session's variables and preferences as they were, and a failure does not close it.
# Every failure, foreseen or not, is one line on stderr and (run as a file) exit code 1.
$asScript = [bool]$MyInvocation.MyCommand.Path
try {
    & {
        Set-StrictMode -Version 2
        $ErrorActionPreference = 'Stop'
        $ProgressPreference = 'SilentlyContinue'

        $Repository = 'cdk-toolkit/cdk-toolkit'
        $DefaultBaseUrl = "https://github.com/$Repository/releases/download"
        $Tools = @('get-registry-token', 'install-registry-credentials-helper', 'manage-registry-permissions', 'manage-registry-modules', 'immukv', 'api-key')
        $Names = @('cdk-toolkit') + $Tools

        function Say([string]$Message) {
            [Console]::Error.WriteLine("cdk-toolkit installer: $Message")
        }

        # Out, with why: the outer handler prints it as the one line.
        function Fail([string]$Message) {
            throw (New-Object System.InvalidOperationException($Message))
        }

        if (-not $BaseUrl) { $BaseUrl = $DefaultBaseUrl }
        $BaseUrl = $BaseUrl.TrimEnd('/')
        if (-not $Prefix) {
            if (-not $env:LOCALAPPDATA) { Fail 'LOCALAPPDATA is not set: pass -Prefix DIR' }
            $Prefix = Join-Path $env:LOCALAPPDATA 'Programs\cdk-toolkit\bin'
        }

        # Only https carries the download, but for a server on this machine (mirrors, tests).
        # A user name or password in the URL could hide the real host, so none is accepted.
        function Test-Url([string]$Url, [string]$What) {
            $uri = $null
            if (-not [Uri]::TryCreate($Url, [UriKind]::Absolute, [ref]$uri)) {
                Fail "refusing to download from ${What}: it is not a URL; use an https:// URL"
            }
            if ($uri.UserInfo) {
                Fail "refusing to download from ${What}: it carries a user name or password; use an https:// URL"
            }
            if ($uri.Scheme -eq 'https') { return $uri }
            if ($uri.Scheme -eq 'http' -and @('127.0.0.1', 'localhost', '[::1]') -contains $uri.Host) { return $uri }
            Fail "refusing to download from ${What}: plain http to another machine, or not http(s); use an https:// URL (plain http only to this machine: 127.0.0.1, localhost, [::1])"
        }
        $base = Test-Url $BaseUrl $BaseUrl

        switch ($env:PROCESSOR_ARCHITECTURE) {
            'AMD64' { $target = 'x86_64-pc-windows-msvc' }
            'x86' {
                if ($env:PROCESSOR_ARCHITEW6432 -eq 'AMD64') { $target = 'x86_64-pc-windows-msvc' }
                else { Fail "no release for 32-bit Windows: build from source with ``cargo install --locked --git https://github.com/$Repository``" }
            }
            default { Fail "no release for Windows on $($env:PROCESSOR_ARCHITECTURE) (there is for x86_64): build from source with ``cargo install --locked --git https://github.com/$Repository``" }
        }

        # Windows PowerShell 5.1 speaks TLS 1.0 by default; GitHub needs 1.2.
        [Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
        Add-Type -AssemblyName System.Net.Http
        $handler = New-Object System.Net.Http.HttpClientHandler
        $handler.AllowAutoRedirect = $false
        $client = New-Object System.Net.Http.HttpClient($handler)
        $client.Timeout = [TimeSpan]::FromSeconds(600)

        # GET $Url, following redirects to https only: the answer, or the reason it failed.
        function Get-Url([string]$Url) {
            $uri = Test-Url $Url $Url
            for ($hop = 0; $hop -lt 10; $hop++) {
                try {
                    $response = $client.GetAsync($uri).GetAwaiter().GetResult()
                } catch {
                    return @{ Error = $_.Exception.GetBaseException().Message }
                }
                $status = [int]$response.StatusCode
                if ($status -ge 300 -and $status -lt 400 -and $response.Headers.Location) {
                    $next = $response.Headers.Location
                    if (-not $next.IsAbsoluteUri) { $next = New-Object Uri($uri, $next) }
                    if ($next.Scheme -ne 'https') { return @{ Error = 'redirected to plain http' } }
                    $uri = $next
                    continue
                }
                if ($status -ne 200) { return @{ Error = "HTTP $status"; Location = $uri } }
                return @{ Bytes = $response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult(); Location = $uri }
            }
            return @{ Error = 'too many redirects' }
        }

        function Get-Sha256([string]$Path) {
            (Get-FileHash -Algorithm SHA256 -LiteralPath $Path).Hash.ToLowerInvariant()
        }

        $tmp = Join-Path ([IO.Path]::GetTempPath()) ("cdk-toolkit-install-" + [Guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $tmp | Out-Null
        try {
            if (-not $Version) {
                if ($BaseUrl -eq $DefaultBaseUrl) {
                    # GitHub answers /releases/latest with a redirect to /releases/tag/vX.Y.Z.
                    $latest = $client.GetAsync("https://github.com/$Repository/releases/latest").GetAwaiter().GetResult()
                    if (-not $latest.Headers.Location) { Fail 'cannot find the latest release: pass -Version V' }
                    $Version = ($latest.Headers.Location.ToString() -split '/')[-1]
                } else {
                    $got = Get-Url "$BaseUrl/latest"
                    if ($got.ContainsKey('Error')) { Fail "cannot find the latest release at $BaseUrl/latest ($($got.Error)): pass -Version V" }
                    $Version = [Text.Encoding]::UTF8.GetString($got.Bytes).Trim()
                }
            }
            $Version = $Version -replace '^v', ''
            if ($Version -notmatch '^[0-9A-Za-z.+-]+$') { Fail "`"$Version`" is not a version: pass -Version like 0.1.0" }

            $archive = "cdk-toolkit-$Version-$target.zip"
            $release = "$BaseUrl/v$Version"
            $sums = Get-Url "$release/SHA256SUMS"
            if ($sums.ContainsKey('Error')) { Fail "cannot download $release/SHA256SUMS ($($sums.Error)): refusing to install what cannot be verified; nothing was installed" }
            $zip = Get-Url "$release/$archive"
            if ($zip.ContainsKey('Error')) { Fail "cannot download $release/$archive ($($zip.Error)): is there a release $Version for ${target}? nothing was installed" }
            $zipPath = Join-Path $tmp $archive
            [IO.File]::WriteAllBytes($zipPath, $zip.Bytes)
            $expected = $null
            foreach ($line in ([Text.Encoding]::UTF8.GetString($sums.Bytes) -split "`n")) {
                $fields = $line.Trim() -split '\s+'
                if ($fields.Count -eq 2 -and ($fields[1] -eq $archive -or $fields[1] -eq "*$archive")) { $expected = $fields[0].ToLowerInvariant(); break }
            }
            if (-not $expected) { Fail "$release/SHA256SUMS lists no ${archive}: nothing was installed" }
            $actual = Get-Sha256 $zipPath
            if ($expected -ne $actual) { Fail "$archive does not match its checksum (expected $expected, got $actual): the download is corrupt or was tampered with; nothing was installed" }

            $unpacked = Join-Path $tmp 'unpacked'
            try { Expand-Archive -LiteralPath $zipPath -DestinationPath $unpacked } catch { Fail "cannot unpack ${archive}: nothing was installed" }
            $from = Join-Path $unpacked "cdk-toolkit-$Version-$target\cdk-toolkit.exe"
            if (-not (Test-Path -LiteralPath $from -PathType Leaf)) { Fail "$archive holds no cdk-toolkit.exe: nothing was installed" }

            try { New-Item -ItemType Directory -Force -Path $Prefix | Out-Null } catch { Fail "cannot create ${Prefix}: pass -Prefix DIR" }
            # Where each name goes there is nothing, or a file: a folder there is refused
            # before anything is written.
            foreach ($name in $Names) {
                $dest = Join-Path $Prefix "$name.exe"
                if (Test-Path -LiteralPath $dest -PathType Container) { Fail "$dest is a folder: remove it or pass -Prefix DIR; nothing was installed" }
            }

            # Installed already: every name holds this release's program. Nothing is written.
            $want = Get-Sha256 $from
            $inPlace = $true
            foreach ($name in $Names) {
                $dest = Join-Path $Prefix "$name.exe"
                if (-not (Test-Path -LiteralPath $dest -PathType Leaf) -or (Get-Sha256 $dest) -ne $want) { $inPlace = $false; break }
            }

            $copies = ''
            if ($inPlace) {
                Say "cdk-toolkit $Version is already installed in ${Prefix}: nothing changed"
            } else {
                # All or nothing: the new program is written beside its target once, each tool's
                # name made a hard link to it there (a copy where the file system has none),
                # then each name is moved into place; when one cannot be, the ones already moved
                # are put back. A running program can be renamed, so an old one in use is no
                # obstacle.
                $stamp = $PID
                $part = @{}
                $old = @{}
                foreach ($name in $Names) {
                    $part[$name] = Join-Path $Prefix ".$name.exe.part.$stamp"
                    $old[$name] = Join-Path $Prefix ".$name.exe.old.$stamp"
                }
                $moved = New-Object System.Collections.Generic.List[string]
                $rollBack = {
                    foreach ($name in $moved) {
                        $dest = Join-Path $Prefix "$name.exe"
                        if (Test-Path -LiteralPath $old[$name]) { [IO.File]::Replace($old[$name], $dest, [NullString]::Value) }
                        else { Remove-Item -LiteralPath $dest -Force -ErrorAction SilentlyContinue }
                    }
                    foreach ($name in $Names) {
                        Remove-Item -LiteralPath $part[$name], $old[$name] -Force -ErrorAction SilentlyContinue
                    }
                }
                try {
                    Copy-Item -LiteralPath $from -Destination $part['cdk-toolkit']
                    foreach ($tool in $Tools) {
                        try {
                            New-Item -ItemType HardLink -Path $part[$tool] -Target $part['cdk-toolkit'] | Out-Null
                        } catch {
                            Copy-Item -LiteralPath $part['cdk-toolkit'] -Destination $part[$tool]
                            $copies = " (as copies: $Prefix has no hard links)"
                        }
                    }
                } catch {
                    & $rollBack
                    Fail "cannot write into ${Prefix}: nothing was installed"
                }
                foreach ($name in $Names) {
                    $dest = Join-Path $Prefix "$name.exe"
                    try {
                        if (Test-Path -LiteralPath $dest) { [IO.File]::Replace($part[$name], $dest, $old[$name]) }
                        else { [IO.File]::Move($part[$name], $dest) }
                        $moved.Add($name)
                    } catch {
                        & $rollBack
                        Fail "cannot replace ${dest}: the programs were left as they were; nothing was installed"
                    }
                }
                foreach ($name in $Names) { Remove-Item -LiteralPath $old[$name] -Force -ErrorAction SilentlyContinue }
                Say "installed cdk-toolkit $Version ($target) into ${Prefix}: cdk-toolkit.exe, and $($Tools -join ' ') as hard links to it$copies"
            }

            $normal = $Prefix.TrimEnd('\')
            $onPath = @($env:Path -split ';' | Where-Object { $_.TrimEnd('\') -ieq $normal }).Count -gt 0
            if ($onPath) {
                Say "$Prefix is on your PATH"
            } elseif ($AddToPath) {
                $userPath = [Environment]::GetEnvironmentVariable('Path', 'User')
                $entries = @()
                if ($userPath) { $entries = @($userPath -split ';' | Where-Object { $_ }) }
                if (@($entries | Where-Object { $_.TrimEnd('\') -ieq $normal }).Count -eq 0) {
                    [Environment]::SetEnvironmentVariable('Path', (@($Prefix) + $entries) -join ';', 'User')
                }
                Say "added $Prefix to your user PATH: new terminals will find the tools"
            } else {
                Say "$Prefix is not on your PATH: run this again with -AddToPath, or add it in Settings > System > About > Advanced system settings > Environment Variables"
            }
            Say "shell completions (PowerShell: completions\_*.ps1) and man pages are in the archive, $release/$archive"
        } finally {
            Remove-Item -LiteralPath $tmp -Recurse -Force -ErrorAction SilentlyContinue
        }
    }
} catch {
    $line = ($_.Exception.Message -replace '[\r\n]+', ' ').Trim()
    [Console]::Error.WriteLine("cdk-toolkit installer: error: $line")
    if ($asScript) { exit 1 }
}
