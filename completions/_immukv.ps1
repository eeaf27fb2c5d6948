
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'immukv' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'immukv'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'immukv' {
            [CompletionResult]::new('--bucket', '--bucket', [CompletionResultType]::ParameterName, 'The store''s S3 bucket; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Prefix of the store''s objects, prepended as is (no `/` added)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Objects fetched at once by listings and verify')
            [CompletionResult]::new('--log-version-retention', '--log-version-retention', [CompletionResultType]::ParameterName, 'Days a log version is kept once noncurrent (the construct''s logVersionRetention), for judging a log whose oldest entries are gone when the bucket''s lifecycle rules cannot be read')
            [CompletionResult]::new('--log-versions-to-retain', '--log-versions-to-retain', [CompletionResultType]::ParameterName, 'Noncurrent log versions kept whatever their age (the construct''s logVersionsToRetain)')
            [CompletionResult]::new('--key-version-retention', '--key-version-retention', [CompletionResultType]::ParameterName, 'Days a key object version is kept once noncurrent (the construct''s keyVersionRetention), for telling expired history from a key that did not exist')
            [CompletionResult]::new('--key-versions-to-retain', '--key-versions-to-retain', [CompletionResultType]::ParameterName, 'Noncurrent key object versions kept whatever their age (the construct''s keyVersionsToRetain)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('--path-style', '--path-style', [CompletionResultType]::ParameterName, 'Address the bucket by path (emulators, dotted bucket names)')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Never write, not even to repair an orphaned entry')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Write a value: JSON from the argument, --file, or stdin')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print a key''s newest value, or the value it had at a moment in the past')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'A key''s entries, newest first')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'The log''s entries, newest first')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'The store''s keys, in order')
            [CompletionResult]::new('log-entry', 'log-entry', [CompletionResultType]::ParameterValue, 'One log entry by its version id')
            [CompletionResult]::new('repair', 'repair', [CompletionResultType]::ParameterValue, 'Rewrite every key object that lags behind its key''s newest entry in the log (or is missing), from the log, with conditional writes: safe beside live writers, and a second run finds nothing to do. Prints each key object rewritten')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Print entries as they are appended, oldest first, each once, until interrupted (SIGINT, SIGTERM) or stdout closes')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the whole log as JSON lines, oldest first: every stored field of each entry, byte for byte, with its version id. Verify it offline with `verify --file`')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Append JSON lines `{"key": ..., "value": ...}` in order, each exactly once, pipelined (one sequential round trip per line)')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check the store: the hash chain (newest to oldest, down to the head verified last time), every key object against the log, and that the head verified last time is still there unchanged; exit 1 naming the first problem')
            [CompletionResult]::new('checkpoint', 'checkpoint', [CompletionResultType]::ParameterValue, 'Verify, then print the verified head: a checkpoint to keep (a CI artifact, an SSM parameter) and verify against later with `verify --checkpoint`. JSON, or with --sign a signed note')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'immukv;set' {
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Read the value from this file')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'output')
            [CompletionResult]::new('--bucket', '--bucket', [CompletionResultType]::ParameterName, 'The store''s S3 bucket; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Prefix of the store''s objects, prepended as is (no `/` added)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Objects fetched at once by listings and verify')
            [CompletionResult]::new('--log-version-retention', '--log-version-retention', [CompletionResultType]::ParameterName, 'Days a log version is kept once noncurrent (the construct''s logVersionRetention), for judging a log whose oldest entries are gone when the bucket''s lifecycle rules cannot be read')
            [CompletionResult]::new('--log-versions-to-retain', '--log-versions-to-retain', [CompletionResultType]::ParameterName, 'Noncurrent log versions kept whatever their age (the construct''s logVersionsToRetain)')
            [CompletionResult]::new('--key-version-retention', '--key-version-retention', [CompletionResultType]::ParameterName, 'Days a key object version is kept once noncurrent (the construct''s keyVersionRetention), for telling expired history from a key that did not exist')
            [CompletionResult]::new('--key-versions-to-retain', '--key-versions-to-retain', [CompletionResultType]::ParameterName, 'Noncurrent key object versions kept whatever their age (the construct''s keyVersionsToRetain)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('--string', '--string', [CompletionResultType]::ParameterName, 'Store the text as a JSON string instead of parsing it')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Write even when the log has a delete marker (continues from its newest version)')
            [CompletionResult]::new('--path-style', '--path-style', [CompletionResultType]::ParameterName, 'Address the bucket by path (emulators, dotted bucket names)')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Never write, not even to repair an orphaned entry')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'immukv;get' {
            [CompletionResult]::new('--at', '--at', [CompletionResultType]::ParameterName, 'The value the key had at this time: RFC 3339 (2026-11-24T10:00:00Z) or epoch milliseconds, compared with the entries'' own timestamps')
            [CompletionResult]::new('--sequence', '--sequence', [CompletionResultType]::ParameterName, 'The value the key had as of this log entry (its newest entry at or before it)')
            [CompletionResult]::new('--bucket', '--bucket', [CompletionResultType]::ParameterName, 'The store''s S3 bucket; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Prefix of the store''s objects, prepended as is (no `/` added)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Objects fetched at once by listings and verify')
            [CompletionResult]::new('--log-version-retention', '--log-version-retention', [CompletionResultType]::ParameterName, 'Days a log version is kept once noncurrent (the construct''s logVersionRetention), for judging a log whose oldest entries are gone when the bucket''s lifecycle rules cannot be read')
            [CompletionResult]::new('--log-versions-to-retain', '--log-versions-to-retain', [CompletionResultType]::ParameterName, 'Noncurrent log versions kept whatever their age (the construct''s logVersionsToRetain)')
            [CompletionResult]::new('--key-version-retention', '--key-version-retention', [CompletionResultType]::ParameterName, 'Days a key object version is kept once noncurrent (the construct''s keyVersionRetention), for telling expired history from a key that did not exist')
            [CompletionResult]::new('--key-versions-to-retain', '--key-versions-to-retain', [CompletionResultType]::ParameterName, 'Noncurrent key object versions kept whatever their age (the construct''s keyVersionsToRetain)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('--entry', '--entry', [CompletionResultType]::ParameterName, 'Print the whole entry (JSON) instead of the value')
            [CompletionResult]::new('--path-style', '--path-style', [CompletionResultType]::ParameterName, 'Address the bucket by path (emulators, dotted bucket names)')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Never write, not even to repair an orphaned entry')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'immukv;history' {
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only entries written at or after this time (RFC 3339 or epoch milliseconds)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only entries written at or before this time (RFC 3339 or epoch milliseconds)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many items')
            [CompletionResult]::new('--before', '--before', [CompletionResultType]::ParameterName, 'Only items older than this version id (key for `keys`): the next page')
            [CompletionResult]::new('--after', '--after', [CompletionResultType]::ParameterName, 'Only items newer than this version id')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'output')
            [CompletionResult]::new('--bucket', '--bucket', [CompletionResultType]::ParameterName, 'The store''s S3 bucket; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Prefix of the store''s objects, prepended as is (no `/` added)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Objects fetched at once by listings and verify')
            [CompletionResult]::new('--log-version-retention', '--log-version-retention', [CompletionResultType]::ParameterName, 'Days a log version is kept once noncurrent (the construct''s logVersionRetention), for judging a log whose oldest entries are gone when the bucket''s lifecycle rules cannot be read')
            [CompletionResult]::new('--log-versions-to-retain', '--log-versions-to-retain', [CompletionResultType]::ParameterName, 'Noncurrent log versions kept whatever their age (the construct''s logVersionsToRetain)')
            [CompletionResult]::new('--key-version-retention', '--key-version-retention', [CompletionResultType]::ParameterName, 'Days a key object version is kept once noncurrent (the construct''s keyVersionRetention), for telling expired history from a key that did not exist')
            [CompletionResult]::new('--key-versions-to-retain', '--key-versions-to-retain', [CompletionResultType]::ParameterName, 'Noncurrent key object versions kept whatever their age (the construct''s keyVersionsToRetain)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('--path-style', '--path-style', [CompletionResultType]::ParameterName, 'Address the bucket by path (emulators, dotted bucket names)')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Never write, not even to repair an orphaned entry')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'immukv;log' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many items')
            [CompletionResult]::new('--before', '--before', [CompletionResultType]::ParameterName, 'Only items older than this version id (key for `keys`): the next page')
            [CompletionResult]::new('--after', '--after', [CompletionResultType]::ParameterName, 'Only items newer than this version id')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'output')
            [CompletionResult]::new('--bucket', '--bucket', [CompletionResultType]::ParameterName, 'The store''s S3 bucket; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Prefix of the store''s objects, prepended as is (no `/` added)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Objects fetched at once by listings and verify')
            [CompletionResult]::new('--log-version-retention', '--log-version-retention', [CompletionResultType]::ParameterName, 'Days a log version is kept once noncurrent (the construct''s logVersionRetention), for judging a log whose oldest entries are gone when the bucket''s lifecycle rules cannot be read')
            [CompletionResult]::new('--log-versions-to-retain', '--log-versions-to-retain', [CompletionResultType]::ParameterName, 'Noncurrent log versions kept whatever their age (the construct''s logVersionsToRetain)')
            [CompletionResult]::new('--key-version-retention', '--key-version-retention', [CompletionResultType]::ParameterName, 'Days a key object version is kept once noncurrent (the construct''s keyVersionRetention), for telling expired history from a key that did not exist')
            [CompletionResult]::new('--key-versions-to-retain', '--key-versions-to-retain', [CompletionResultType]::ParameterName, 'Noncurrent key object versions kept whatever their age (the construct''s keyVersionsToRetain)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('--path-style', '--path-style', [CompletionResultType]::ParameterName, 'Address the bucket by path (emulators, dotted bucket names)')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Never write, not even to repair an orphaned entry')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'immukv;keys' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many keys')
            [CompletionResult]::new('--after', '--after', [CompletionResultType]::ParameterName, 'Only keys after this one')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'output')
            [CompletionResult]::new('--bucket', '--bucket', [CompletionResultType]::ParameterName, 'The store''s S3 bucket; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Prefix of the store''s objects, prepended as is (no `/` added)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Objects fetched at once by listings and verify')
            [CompletionResult]::new('--log-version-retention', '--log-version-retention', [CompletionResultType]::ParameterName, 'Days a log version is kept once noncurrent (the construct''s logVersionRetention), for judging a log whose oldest entries are gone when the bucket''s lifecycle rules cannot be read')
            [CompletionResult]::new('--log-versions-to-retain', '--log-versions-to-retain', [CompletionResultType]::ParameterName, 'Noncurrent log versions kept whatever their age (the construct''s logVersionsToRetain)')
            [CompletionResult]::new('--key-version-retention', '--key-version-retention', [CompletionResultType]::ParameterName, 'Days a key object version is kept once noncurrent (the construct''s keyVersionRetention), for telling expired history from a key that did not exist')
            [CompletionResult]::new('--key-versions-to-retain', '--key-versions-to-retain', [CompletionResultType]::ParameterName, 'Noncurrent key object versions kept whatever their age (the construct''s keyVersionsToRetain)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('--path-style', '--path-style', [CompletionResultType]::ParameterName, 'Address the bucket by path (emulators, dotted bucket names)')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Never write, not even to repair an orphaned entry')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'immukv;log-entry' {
            [CompletionResult]::new('--bucket', '--bucket', [CompletionResultType]::ParameterName, 'The store''s S3 bucket; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Prefix of the store''s objects, prepended as is (no `/` added)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Objects fetched at once by listings and verify')
            [CompletionResult]::new('--log-version-retention', '--log-version-retention', [CompletionResultType]::ParameterName, 'Days a log version is kept once noncurrent (the construct''s logVersionRetention), for judging a log whose oldest entries are gone when the bucket''s lifecycle rules cannot be read')
            [CompletionResult]::new('--log-versions-to-retain', '--log-versions-to-retain', [CompletionResultType]::ParameterName, 'Noncurrent log versions kept whatever their age (the construct''s logVersionsToRetain)')
            [CompletionResult]::new('--key-version-retention', '--key-version-retention', [CompletionResultType]::ParameterName, 'Days a key object version is kept once noncurrent (the construct''s keyVersionRetention), for telling expired history from a key that did not exist')
            [CompletionResult]::new('--key-versions-to-retain', '--key-versions-to-retain', [CompletionResultType]::ParameterName, 'Noncurrent key object versions kept whatever their age (the construct''s keyVersionsToRetain)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('--path-style', '--path-style', [CompletionResultType]::ParameterName, 'Address the bucket by path (emulators, dotted bucket names)')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Never write, not even to repair an orphaned entry')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'immukv;repair' {
            [CompletionResult]::new('--bucket', '--bucket', [CompletionResultType]::ParameterName, 'The store''s S3 bucket; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Prefix of the store''s objects, prepended as is (no `/` added)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Objects fetched at once by listings and verify')
            [CompletionResult]::new('--log-version-retention', '--log-version-retention', [CompletionResultType]::ParameterName, 'Days a log version is kept once noncurrent (the construct''s logVersionRetention), for judging a log whose oldest entries are gone when the bucket''s lifecycle rules cannot be read')
            [CompletionResult]::new('--log-versions-to-retain', '--log-versions-to-retain', [CompletionResultType]::ParameterName, 'Noncurrent log versions kept whatever their age (the construct''s logVersionsToRetain)')
            [CompletionResult]::new('--key-version-retention', '--key-version-retention', [CompletionResultType]::ParameterName, 'Days a key object version is kept once noncurrent (the construct''s keyVersionRetention), for telling expired history from a key that did not exist')
            [CompletionResult]::new('--key-versions-to-retain', '--key-versions-to-retain', [CompletionResultType]::ParameterName, 'Noncurrent key object versions kept whatever their age (the construct''s keyVersionsToRetain)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('--path-style', '--path-style', [CompletionResultType]::ParameterName, 'Address the bucket by path (emulators, dotted bucket names)')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Never write, not even to repair an orphaned entry')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'immukv;watch' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'output')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Seconds between polls (one conditional request each when nothing changed)')
            [CompletionResult]::new('--key-prefix', '--key-prefix', [CompletionResultType]::ParameterName, 'Only entries whose key starts with this (`--prefix` selects the store itself)')
            [CompletionResult]::new('--from-sequence', '--from-sequence', [CompletionResultType]::ParameterName, 'Start at this sequence instead of after the newest entry: the entries from it onwards first, then the new ones')
            [CompletionResult]::new('--bucket', '--bucket', [CompletionResultType]::ParameterName, 'The store''s S3 bucket; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Prefix of the store''s objects, prepended as is (no `/` added)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Objects fetched at once by listings and verify')
            [CompletionResult]::new('--log-version-retention', '--log-version-retention', [CompletionResultType]::ParameterName, 'Days a log version is kept once noncurrent (the construct''s logVersionRetention), for judging a log whose oldest entries are gone when the bucket''s lifecycle rules cannot be read')
            [CompletionResult]::new('--log-versions-to-retain', '--log-versions-to-retain', [CompletionResultType]::ParameterName, 'Noncurrent log versions kept whatever their age (the construct''s logVersionsToRetain)')
            [CompletionResult]::new('--key-version-retention', '--key-version-retention', [CompletionResultType]::ParameterName, 'Days a key object version is kept once noncurrent (the construct''s keyVersionRetention), for telling expired history from a key that did not exist')
            [CompletionResult]::new('--key-versions-to-retain', '--key-versions-to-retain', [CompletionResultType]::ParameterName, 'Noncurrent key object versions kept whatever their age (the construct''s keyVersionsToRetain)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('--path-style', '--path-style', [CompletionResultType]::ParameterName, 'Address the bucket by path (emulators, dotted bucket names)')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Never write, not even to repair an orphaned entry')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'immukv;export' {
            [CompletionResult]::new('--bucket', '--bucket', [CompletionResultType]::ParameterName, 'The store''s S3 bucket; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Prefix of the store''s objects, prepended as is (no `/` added)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Objects fetched at once by listings and verify')
            [CompletionResult]::new('--log-version-retention', '--log-version-retention', [CompletionResultType]::ParameterName, 'Days a log version is kept once noncurrent (the construct''s logVersionRetention), for judging a log whose oldest entries are gone when the bucket''s lifecycle rules cannot be read')
            [CompletionResult]::new('--log-versions-to-retain', '--log-versions-to-retain', [CompletionResultType]::ParameterName, 'Noncurrent log versions kept whatever their age (the construct''s logVersionsToRetain)')
            [CompletionResult]::new('--key-version-retention', '--key-version-retention', [CompletionResultType]::ParameterName, 'Days a key object version is kept once noncurrent (the construct''s keyVersionRetention), for telling expired history from a key that did not exist')
            [CompletionResult]::new('--key-versions-to-retain', '--key-versions-to-retain', [CompletionResultType]::ParameterName, 'Noncurrent key object versions kept whatever their age (the construct''s keyVersionsToRetain)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('--path-style', '--path-style', [CompletionResultType]::ParameterName, 'Address the bucket by path (emulators, dotted bucket names)')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Never write, not even to repair an orphaned entry')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'immukv;import' {
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Read the lines from this file instead of stdin')
            [CompletionResult]::new('--bucket', '--bucket', [CompletionResultType]::ParameterName, 'The store''s S3 bucket; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Prefix of the store''s objects, prepended as is (no `/` added)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Objects fetched at once by listings and verify')
            [CompletionResult]::new('--log-version-retention', '--log-version-retention', [CompletionResultType]::ParameterName, 'Days a log version is kept once noncurrent (the construct''s logVersionRetention), for judging a log whose oldest entries are gone when the bucket''s lifecycle rules cannot be read')
            [CompletionResult]::new('--log-versions-to-retain', '--log-versions-to-retain', [CompletionResultType]::ParameterName, 'Noncurrent log versions kept whatever their age (the construct''s logVersionsToRetain)')
            [CompletionResult]::new('--key-version-retention', '--key-version-retention', [CompletionResultType]::ParameterName, 'Days a key object version is kept once noncurrent (the construct''s keyVersionRetention), for telling expired history from a key that did not exist')
            [CompletionResult]::new('--key-versions-to-retain', '--key-versions-to-retain', [CompletionResultType]::ParameterName, 'Noncurrent key object versions kept whatever their age (the construct''s keyVersionsToRetain)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('--resume', '--resume', [CompletionResultType]::ParameterName, 'Continue an interrupted import of the same input after its last line in the log')
            [CompletionResult]::new('--path-style', '--path-style', [CompletionResultType]::ParameterName, 'Address the bucket by path (emulators, dotted bucket names)')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Never write, not even to repair an orphaned entry')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'immukv;verify' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Check only the newest N entries (the chain alone; nothing is remembered)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Verify a dump written by `immukv export` instead of the store, with no AWS access (with --checkpoint: the dump must hold the checkpoint''s head)')
            [CompletionResult]::new('--checkpoint', '--checkpoint', [CompletionResultType]::ParameterName, 'Trust this checkpoint (from `immukv checkpoint`: a file, or ssm:/NAME) instead of the head remembered in the cache folder')
            [CompletionResult]::new('--public-key', '--public-key', [CompletionResultType]::ParameterName, 'The checkpoint must be signed by this key: its public half, as `aws kms get-public-key` returns it (PEM, base64 or DER). Offline')
            [CompletionResult]::new('--signed-by', '--signed-by', [CompletionResultType]::ParameterName, 'The checkpoint must be signed by this KMS key, checked with KMS Verify')
            [CompletionResult]::new('--bucket', '--bucket', [CompletionResultType]::ParameterName, 'The store''s S3 bucket; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Prefix of the store''s objects, prepended as is (no `/` added)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Objects fetched at once by listings and verify')
            [CompletionResult]::new('--log-version-retention', '--log-version-retention', [CompletionResultType]::ParameterName, 'Days a log version is kept once noncurrent (the construct''s logVersionRetention), for judging a log whose oldest entries are gone when the bucket''s lifecycle rules cannot be read')
            [CompletionResult]::new('--log-versions-to-retain', '--log-versions-to-retain', [CompletionResultType]::ParameterName, 'Noncurrent log versions kept whatever their age (the construct''s logVersionsToRetain)')
            [CompletionResult]::new('--key-version-retention', '--key-version-retention', [CompletionResultType]::ParameterName, 'Days a key object version is kept once noncurrent (the construct''s keyVersionRetention), for telling expired history from a key that did not exist')
            [CompletionResult]::new('--key-versions-to-retain', '--key-versions-to-retain', [CompletionResultType]::ParameterName, 'Noncurrent key object versions kept whatever their age (the construct''s keyVersionsToRetain)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('--full', '--full', [CompletionResultType]::ParameterName, 'Re-verify the whole chain from genesis (still comparing with the head verified last time)')
            [CompletionResult]::new('--path-style', '--path-style', [CompletionResultType]::ParameterName, 'Address the bucket by path (emulators, dotted bucket names)')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Never write, not even to repair an orphaned entry')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'immukv;checkpoint' {
            [CompletionResult]::new('--checkpoint', '--checkpoint', [CompletionResultType]::ParameterName, 'Trust this checkpoint (from `immukv checkpoint`: a file, or ssm:/NAME) instead of the head remembered in the cache folder')
            [CompletionResult]::new('--public-key', '--public-key', [CompletionResultType]::ParameterName, 'The checkpoint must be signed by this key: its public half, as `aws kms get-public-key` returns it (PEM, base64 or DER). Offline')
            [CompletionResult]::new('--signed-by', '--signed-by', [CompletionResultType]::ParameterName, 'The checkpoint must be signed by this KMS key, checked with KMS Verify')
            [CompletionResult]::new('--sign', '--sign', [CompletionResultType]::ParameterName, 'Sign it with this KMS key (ECC_NIST_P256 or RSA; alias/NAME, an alias or key ARN, or a key id)')
            [CompletionResult]::new('--put', '--put', [CompletionResultType]::ParameterName, 'Also keep it in this SSM parameter, verified against the checkpoint already there: the parameter only moves forward along the same chain')
            [CompletionResult]::new('--bucket', '--bucket', [CompletionResultType]::ParameterName, 'The store''s S3 bucket; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--prefix', '--prefix', [CompletionResultType]::ParameterName, 'Prefix of the store''s objects, prepended as is (no `/` added)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Objects fetched at once by listings and verify')
            [CompletionResult]::new('--log-version-retention', '--log-version-retention', [CompletionResultType]::ParameterName, 'Days a log version is kept once noncurrent (the construct''s logVersionRetention), for judging a log whose oldest entries are gone when the bucket''s lifecycle rules cannot be read')
            [CompletionResult]::new('--log-versions-to-retain', '--log-versions-to-retain', [CompletionResultType]::ParameterName, 'Noncurrent log versions kept whatever their age (the construct''s logVersionsToRetain)')
            [CompletionResult]::new('--key-version-retention', '--key-version-retention', [CompletionResultType]::ParameterName, 'Days a key object version is kept once noncurrent (the construct''s keyVersionRetention), for telling expired history from a key that did not exist')
            [CompletionResult]::new('--key-versions-to-retain', '--key-versions-to-retain', [CompletionResultType]::ParameterName, 'Noncurrent key object versions kept whatever their age (the construct''s keyVersionsToRetain)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('--full', '--full', [CompletionResultType]::ParameterName, 'Re-verify the whole chain from genesis (still comparing with the head verified last time)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Put an unsigned checkpoint over a signed one')
            [CompletionResult]::new('--path-style', '--path-style', [CompletionResultType]::ParameterName, 'Address the bucket by path (emulators, dotted bucket names)')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Never write, not even to repair an orphaned entry')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'immukv;help' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Write a value: JSON from the argument, --file, or stdin')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print a key''s newest value, or the value it had at a moment in the past')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'A key''s entries, newest first')
            [CompletionResult]::new('log', 'log', [CompletionResultType]::ParameterValue, 'The log''s entries, newest first')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'The store''s keys, in order')
            [CompletionResult]::new('log-entry', 'log-entry', [CompletionResultType]::ParameterValue, 'One log entry by its version id')
            [CompletionResult]::new('repair', 'repair', [CompletionResultType]::ParameterValue, 'Rewrite every key object that lags behind its key''s newest entry in the log (or is missing), from the log, with conditional writes: safe beside live writers, and a second run finds nothing to do. Prints each key object rewritten')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Print entries as they are appended, oldest first, each once, until interrupted (SIGINT, SIGTERM) or stdout closes')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write the whole log as JSON lines, oldest first: every stored field of each entry, byte for byte, with its version id. Verify it offline with `verify --file`')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Append JSON lines `{"key": ..., "value": ...}` in order, each exactly once, pipelined (one sequential round trip per line)')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check the store: the hash chain (newest to oldest, down to the head verified last time), every key object against the log, and that the head verified last time is still there unchanged; exit 1 naming the first problem')
            [CompletionResult]::new('checkpoint', 'checkpoint', [CompletionResultType]::ParameterValue, 'Verify, then print the verified head: a checkpoint to keep (a CI artifact, an SSM parameter) and verify against later with `verify --checkpoint`. JSON, or with --sign a signed note')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'immukv;help;set' {
            break
        }
        'immukv;help;get' {
            break
        }
        'immukv;help;history' {
            break
        }
        'immukv;help;log' {
            break
        }
        'immukv;help;keys' {
            break
        }
        'immukv;help;log-entry' {
            break
        }
        'immukv;help;repair' {
            break
        }
        'immukv;help;watch' {
            break
        }
        'immukv;help;export' {
            break
        }
        'immukv;help;import' {
            break
        }
        'immukv;help;verify' {
            break
        }
        'immukv;help;checkpoint' {
            break
        }
        'immukv;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
