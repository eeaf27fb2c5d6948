# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_immukv_global_optspecs
    string join \n bucket= prefix= path-style read-only concurrency= log-version-retention= log-versions-to-retain= key-version-retention= key-versions-to-retain= profile= region= endpoint-url= aws-timeout= h/help V/version
end

function __fish_immukv_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_immukv_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_immukv_using_subcommand
    set -l cmd (__fish_immukv_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c immukv -n "__fish_immukv_needs_command" -l bucket -d 'The store\'s S3 bucket; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c immukv -n "__fish_immukv_needs_command" -l prefix -d 'Prefix of the store\'s objects, prepended as is (no `/` added)' -r
complete -c immukv -n "__fish_immukv_needs_command" -l concurrency -d 'Objects fetched at once by listings and verify' -r
complete -c immukv -n "__fish_immukv_needs_command" -l log-version-retention -d 'Days a log version is kept once noncurrent (the construct\'s logVersionRetention), for judging a log whose oldest entries are gone when the bucket\'s lifecycle rules cannot be read' -r
complete -c immukv -n "__fish_immukv_needs_command" -l log-versions-to-retain -d 'Noncurrent log versions kept whatever their age (the construct\'s logVersionsToRetain)' -r
complete -c immukv -n "__fish_immukv_needs_command" -l key-version-retention -d 'Days a key object version is kept once noncurrent (the construct\'s keyVersionRetention), for telling expired history from a key that did not exist' -r
complete -c immukv -n "__fish_immukv_needs_command" -l key-versions-to-retain -d 'Noncurrent key object versions kept whatever their age (the construct\'s keyVersionsToRetain)' -r
complete -c immukv -n "__fish_immukv_needs_command" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c immukv -n "__fish_immukv_needs_command" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c immukv -n "__fish_immukv_needs_command" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c immukv -n "__fish_immukv_needs_command" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c immukv -n "__fish_immukv_needs_command" -l path-style -d 'Address the bucket by path (emulators, dotted bucket names)'
complete -c immukv -n "__fish_immukv_needs_command" -l read-only -d 'Never write, not even to repair an orphaned entry'
complete -c immukv -n "__fish_immukv_needs_command" -s h -l help -d 'Print help'
complete -c immukv -n "__fish_immukv_needs_command" -s V -l version -d 'Print version'
complete -c immukv -n "__fish_immukv_needs_command" -f -a "set" -d 'Write a value: JSON from the argument, --file, or stdin'
complete -c immukv -n "__fish_immukv_needs_command" -f -a "get" -d 'Print a key\'s newest value, or the value it had at a moment in the past'
complete -c immukv -n "__fish_immukv_needs_command" -f -a "history" -d 'A key\'s entries, newest first'
complete -c immukv -n "__fish_immukv_needs_command" -f -a "log" -d 'The log\'s entries, newest first'
complete -c immukv -n "__fish_immukv_needs_command" -f -a "keys" -d 'The store\'s keys, in order'
complete -c immukv -n "__fish_immukv_needs_command" -f -a "log-entry" -d 'One log entry by its version id'
complete -c immukv -n "__fish_immukv_needs_command" -f -a "repair" -d 'Rewrite every key object that lags behind its key\'s newest entry in the log (or is missing), from the log, with conditional writes: safe beside live writers, and a second run finds nothing to do. Prints each key object rewritten'
complete -c immukv -n "__fish_immukv_needs_command" -f -a "watch" -d 'Print entries as they are appended, oldest first, each once, until interrupted (SIGINT, SIGTERM) or stdout closes'
complete -c immukv -n "__fish_immukv_needs_command" -f -a "export" -d 'Write the whole log as JSON lines, oldest first: every stored field of each entry, byte for byte, with its version id. Verify it offline with `verify --file`'
complete -c immukv -n "__fish_immukv_needs_command" -f -a "import" -d 'Append JSON lines `{"key": ..., "value": ...}` in order, each exactly once, pipelined (one sequential round trip per line)'
complete -c immukv -n "__fish_immukv_needs_command" -f -a "verify" -d 'Check the store: the hash chain (newest to oldest, down to the head verified last time), every key object against the log, and that the head verified last time is still there unchanged; exit 1 naming the first problem'
complete -c immukv -n "__fish_immukv_needs_command" -f -a "checkpoint" -d 'Verify, then print the verified head: a checkpoint to keep (a CI artifact, an SSM parameter) and verify against later with `verify --checkpoint`. JSON, or with --sign a signed note'
complete -c immukv -n "__fish_immukv_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c immukv -n "__fish_immukv_using_subcommand set" -l file -d 'Read the value from this file' -r -F
complete -c immukv -n "__fish_immukv_using_subcommand set" -l output -r -f -a "text\t'Tab-separated lines: sequence, time, key, value, version'
json\t'One JSON array'
jsonl\t'One JSON object per line'"
complete -c immukv -n "__fish_immukv_using_subcommand set" -l bucket -d 'The store\'s S3 bucket; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c immukv -n "__fish_immukv_using_subcommand set" -l prefix -d 'Prefix of the store\'s objects, prepended as is (no `/` added)' -r
complete -c immukv -n "__fish_immukv_using_subcommand set" -l concurrency -d 'Objects fetched at once by listings and verify' -r
complete -c immukv -n "__fish_immukv_using_subcommand set" -l log-version-retention -d 'Days a log version is kept once noncurrent (the construct\'s logVersionRetention), for judging a log whose oldest entries are gone when the bucket\'s lifecycle rules cannot be read' -r
complete -c immukv -n "__fish_immukv_using_subcommand set" -l log-versions-to-retain -d 'Noncurrent log versions kept whatever their age (the construct\'s logVersionsToRetain)' -r
complete -c immukv -n "__fish_immukv_using_subcommand set" -l key-version-retention -d 'Days a key object version is kept once noncurrent (the construct\'s keyVersionRetention), for telling expired history from a key that did not exist' -r
complete -c immukv -n "__fish_immukv_using_subcommand set" -l key-versions-to-retain -d 'Noncurrent key object versions kept whatever their age (the construct\'s keyVersionsToRetain)' -r
complete -c immukv -n "__fish_immukv_using_subcommand set" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c immukv -n "__fish_immukv_using_subcommand set" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c immukv -n "__fish_immukv_using_subcommand set" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c immukv -n "__fish_immukv_using_subcommand set" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c immukv -n "__fish_immukv_using_subcommand set" -l string -d 'Store the text as a JSON string instead of parsing it'
complete -c immukv -n "__fish_immukv_using_subcommand set" -l force -d 'Write even when the log has a delete marker (continues from its newest version)'
complete -c immukv -n "__fish_immukv_using_subcommand set" -l path-style -d 'Address the bucket by path (emulators, dotted bucket names)'
complete -c immukv -n "__fish_immukv_using_subcommand set" -l read-only -d 'Never write, not even to repair an orphaned entry'
complete -c immukv -n "__fish_immukv_using_subcommand set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c immukv -n "__fish_immukv_using_subcommand get" -l at -d 'The value the key had at this time: RFC 3339 (2026-11-24T10:00:00Z) or epoch milliseconds, compared with the entries\' own timestamps' -r
complete -c immukv -n "__fish_immukv_using_subcommand get" -l sequence -d 'The value the key had as of this log entry (its newest entry at or before it)' -r
complete -c immukv -n "__fish_immukv_using_subcommand get" -l bucket -d 'The store\'s S3 bucket; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c immukv -n "__fish_immukv_using_subcommand get" -l prefix -d 'Prefix of the store\'s objects, prepended as is (no `/` added)' -r
complete -c immukv -n "__fish_immukv_using_subcommand get" -l concurrency -d 'Objects fetched at once by listings and verify' -r
complete -c immukv -n "__fish_immukv_using_subcommand get" -l log-version-retention -d 'Days a log version is kept once noncurrent (the construct\'s logVersionRetention), for judging a log whose oldest entries are gone when the bucket\'s lifecycle rules cannot be read' -r
complete -c immukv -n "__fish_immukv_using_subcommand get" -l log-versions-to-retain -d 'Noncurrent log versions kept whatever their age (the construct\'s logVersionsToRetain)' -r
complete -c immukv -n "__fish_immukv_using_subcommand get" -l key-version-retention -d 'Days a key object version is kept once noncurrent (the construct\'s keyVersionRetention), for telling expired history from a key that did not exist' -r
complete -c immukv -n "__fish_immukv_using_subcommand get" -l key-versions-to-retain -d 'Noncurrent key object versions kept whatever their age (the construct\'s keyVersionsToRetain)' -r
complete -c immukv -n "__fish_immukv_using_subcommand get" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c immukv -n "__fish_immukv_using_subcommand get" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c immukv -n "__fish_immukv_using_subcommand get" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c immukv -n "__fish_immukv_using_subcommand get" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c immukv -n "__fish_immukv_using_subcommand get" -l entry -d 'Print the whole entry (JSON) instead of the value'
complete -c immukv -n "__fish_immukv_using_subcommand get" -l path-style -d 'Address the bucket by path (emulators, dotted bucket names)'
complete -c immukv -n "__fish_immukv_using_subcommand get" -l read-only -d 'Never write, not even to repair an orphaned entry'
complete -c immukv -n "__fish_immukv_using_subcommand get" -s h -l help -d 'Print help'
complete -c immukv -n "__fish_immukv_using_subcommand history" -l since -d 'Only entries written at or after this time (RFC 3339 or epoch milliseconds)' -r
complete -c immukv -n "__fish_immukv_using_subcommand history" -l until -d 'Only entries written at or before this time (RFC 3339 or epoch milliseconds)' -r
complete -c immukv -n "__fish_immukv_using_subcommand history" -l limit -d 'At most this many items' -r
complete -c immukv -n "__fish_immukv_using_subcommand history" -l before -d 'Only items older than this version id (key for `keys`): the next page' -r
complete -c immukv -n "__fish_immukv_using_subcommand history" -l after -d 'Only items newer than this version id' -r
complete -c immukv -n "__fish_immukv_using_subcommand history" -l output -r -f -a "text\t'Tab-separated lines: sequence, time, key, value, version'
json\t'One JSON array'
jsonl\t'One JSON object per line'"
complete -c immukv -n "__fish_immukv_using_subcommand history" -l bucket -d 'The store\'s S3 bucket; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c immukv -n "__fish_immukv_using_subcommand history" -l prefix -d 'Prefix of the store\'s objects, prepended as is (no `/` added)' -r
complete -c immukv -n "__fish_immukv_using_subcommand history" -l concurrency -d 'Objects fetched at once by listings and verify' -r
complete -c immukv -n "__fish_immukv_using_subcommand history" -l log-version-retention -d 'Days a log version is kept once noncurrent (the construct\'s logVersionRetention), for judging a log whose oldest entries are gone when the bucket\'s lifecycle rules cannot be read' -r
complete -c immukv -n "__fish_immukv_using_subcommand history" -l log-versions-to-retain -d 'Noncurrent log versions kept whatever their age (the construct\'s logVersionsToRetain)' -r
complete -c immukv -n "__fish_immukv_using_subcommand history" -l key-version-retention -d 'Days a key object version is kept once noncurrent (the construct\'s keyVersionRetention), for telling expired history from a key that did not exist' -r
complete -c immukv -n "__fish_immukv_using_subcommand history" -l key-versions-to-retain -d 'Noncurrent key object versions kept whatever their age (the construct\'s keyVersionsToRetain)' -r
complete -c immukv -n "__fish_immukv_using_subcommand history" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c immukv -n "__fish_immukv_using_subcommand history" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c immukv -n "__fish_immukv_using_subcommand history" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c immukv -n "__fish_immukv_using_subcommand history" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c immukv -n "__fish_immukv_using_subcommand history" -l path-style -d 'Address the bucket by path (emulators, dotted bucket names)'
complete -c immukv -n "__fish_immukv_using_subcommand history" -l read-only -d 'Never write, not even to repair an orphaned entry'
complete -c immukv -n "__fish_immukv_using_subcommand history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c immukv -n "__fish_immukv_using_subcommand log" -l limit -d 'At most this many items' -r
complete -c immukv -n "__fish_immukv_using_subcommand log" -l before -d 'Only items older than this version id (key for `keys`): the next page' -r
complete -c immukv -n "__fish_immukv_using_subcommand log" -l after -d 'Only items newer than this version id' -r
complete -c immukv -n "__fish_immukv_using_subcommand log" -l output -r -f -a "text\t'Tab-separated lines: sequence, time, key, value, version'
json\t'One JSON array'
jsonl\t'One JSON object per line'"
complete -c immukv -n "__fish_immukv_using_subcommand log" -l bucket -d 'The store\'s S3 bucket; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c immukv -n "__fish_immukv_using_subcommand log" -l prefix -d 'Prefix of the store\'s objects, prepended as is (no `/` added)' -r
complete -c immukv -n "__fish_immukv_using_subcommand log" -l concurrency -d 'Objects fetched at once by listings and verify' -r
complete -c immukv -n "__fish_immukv_using_subcommand log" -l log-version-retention -d 'Days a log version is kept once noncurrent (the construct\'s logVersionRetention), for judging a log whose oldest entries are gone when the bucket\'s lifecycle rules cannot be read' -r
complete -c immukv -n "__fish_immukv_using_subcommand log" -l log-versions-to-retain -d 'Noncurrent log versions kept whatever their age (the construct\'s logVersionsToRetain)' -r
complete -c immukv -n "__fish_immukv_using_subcommand log" -l key-version-retention -d 'Days a key object version is kept once noncurrent (the construct\'s keyVersionRetention), for telling expired history from a key that did not exist' -r
complete -c immukv -n "__fish_immukv_using_subcommand log" -l key-versions-to-retain -d 'Noncurrent key object versions kept whatever their age (the construct\'s keyVersionsToRetain)' -r
complete -c immukv -n "__fish_immukv_using_subcommand log" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c immukv -n "__fish_immukv_using_subcommand log" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c immukv -n "__fish_immukv_using_subcommand log" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c immukv -n "__fish_immukv_using_subcommand log" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c immukv -n "__fish_immukv_using_subcommand log" -l path-style -d 'Address the bucket by path (emulators, dotted bucket names)'
complete -c immukv -n "__fish_immukv_using_subcommand log" -l read-only -d 'Never write, not even to repair an orphaned entry'
complete -c immukv -n "__fish_immukv_using_subcommand log" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c immukv -n "__fish_immukv_using_subcommand keys" -l limit -d 'At most this many keys' -r
complete -c immukv -n "__fish_immukv_using_subcommand keys" -l after -d 'Only keys after this one' -r
complete -c immukv -n "__fish_immukv_using_subcommand keys" -l output -r -f -a "text\t'Tab-separated lines: sequence, time, key, value, version'
json\t'One JSON array'
jsonl\t'One JSON object per line'"
complete -c immukv -n "__fish_immukv_using_subcommand keys" -l bucket -d 'The store\'s S3 bucket; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c immukv -n "__fish_immukv_using_subcommand keys" -l prefix -d 'Prefix of the store\'s objects, prepended as is (no `/` added)' -r
complete -c immukv -n "__fish_immukv_using_subcommand keys" -l concurrency -d 'Objects fetched at once by listings and verify' -r
complete -c immukv -n "__fish_immukv_using_subcommand keys" -l log-version-retention -d 'Days a log version is kept once noncurrent (the construct\'s logVersionRetention), for judging a log whose oldest entries are gone when the bucket\'s lifecycle rules cannot be read' -r
complete -c immukv -n "__fish_immukv_using_subcommand keys" -l log-versions-to-retain -d 'Noncurrent log versions kept whatever their age (the construct\'s logVersionsToRetain)' -r
complete -c immukv -n "__fish_immukv_using_subcommand keys" -l key-version-retention -d 'Days a key object version is kept once noncurrent (the construct\'s keyVersionRetention), for telling expired history from a key that did not exist' -r
complete -c immukv -n "__fish_immukv_using_subcommand keys" -l key-versions-to-retain -d 'Noncurrent key object versions kept whatever their age (the construct\'s keyVersionsToRetain)' -r
complete -c immukv -n "__fish_immukv_using_subcommand keys" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c immukv -n "__fish_immukv_using_subcommand keys" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c immukv -n "__fish_immukv_using_subcommand keys" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c immukv -n "__fish_immukv_using_subcommand keys" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c immukv -n "__fish_immukv_using_subcommand keys" -l path-style -d 'Address the bucket by path (emulators, dotted bucket names)'
complete -c immukv -n "__fish_immukv_using_subcommand keys" -l read-only -d 'Never write, not even to repair an orphaned entry'
complete -c immukv -n "__fish_immukv_using_subcommand keys" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c immukv -n "__fish_immukv_using_subcommand log-entry" -l bucket -d 'The store\'s S3 bucket; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c immukv -n "__fish_immukv_using_subcommand log-entry" -l prefix -d 'Prefix of the store\'s objects, prepended as is (no `/` added)' -r
complete -c immukv -n "__fish_immukv_using_subcommand log-entry" -l concurrency -d 'Objects fetched at once by listings and verify' -r
complete -c immukv -n "__fish_immukv_using_subcommand log-entry" -l log-version-retention -d 'Days a log version is kept once noncurrent (the construct\'s logVersionRetention), for judging a log whose oldest entries are gone when the bucket\'s lifecycle rules cannot be read' -r
complete -c immukv -n "__fish_immukv_using_subcommand log-entry" -l log-versions-to-retain -d 'Noncurrent log versions kept whatever their age (the construct\'s logVersionsToRetain)' -r
complete -c immukv -n "__fish_immukv_using_subcommand log-entry" -l key-version-retention -d 'Days a key object version is kept once noncurrent (the construct\'s keyVersionRetention), for telling expired history from a key that did not exist' -r
complete -c immukv -n "__fish_immukv_using_subcommand log-entry" -l key-versions-to-retain -d 'Noncurrent key object versions kept whatever their age (the construct\'s keyVersionsToRetain)' -r
complete -c immukv -n "__fish_immukv_using_subcommand log-entry" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c immukv -n "__fish_immukv_using_subcommand log-entry" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c immukv -n "__fish_immukv_using_subcommand log-entry" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c immukv -n "__fish_immukv_using_subcommand log-entry" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c immukv -n "__fish_immukv_using_subcommand log-entry" -l path-style -d 'Address the bucket by path (emulators, dotted bucket names)'
complete -c immukv -n "__fish_immukv_using_subcommand log-entry" -l read-only -d 'Never write, not even to repair an orphaned entry'
complete -c immukv -n "__fish_immukv_using_subcommand log-entry" -s h -l help -d 'Print help'
complete -c immukv -n "__fish_immukv_using_subcommand repair" -l bucket -d 'The store\'s S3 bucket; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c immukv -n "__fish_immukv_using_subcommand repair" -l prefix -d 'Prefix of the store\'s objects, prepended as is (no `/` added)' -r
complete -c immukv -n "__fish_immukv_using_subcommand repair" -l concurrency -d 'Objects fetched at once by listings and verify' -r
complete -c immukv -n "__fish_immukv_using_subcommand repair" -l log-version-retention -d 'Days a log version is kept once noncurrent (the construct\'s logVersionRetention), for judging a log whose oldest entries are gone when the bucket\'s lifecycle rules cannot be read' -r
complete -c immukv -n "__fish_immukv_using_subcommand repair" -l log-versions-to-retain -d 'Noncurrent log versions kept whatever their age (the construct\'s logVersionsToRetain)' -r
complete -c immukv -n "__fish_immukv_using_subcommand repair" -l key-version-retention -d 'Days a key object version is kept once noncurrent (the construct\'s keyVersionRetention), for telling expired history from a key that did not exist' -r
complete -c immukv -n "__fish_immukv_using_subcommand repair" -l key-versions-to-retain -d 'Noncurrent key object versions kept whatever their age (the construct\'s keyVersionsToRetain)' -r
complete -c immukv -n "__fish_immukv_using_subcommand repair" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c immukv -n "__fish_immukv_using_subcommand repair" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c immukv -n "__fish_immukv_using_subcommand repair" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c immukv -n "__fish_immukv_using_subcommand repair" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c immukv -n "__fish_immukv_using_subcommand repair" -l path-style -d 'Address the bucket by path (emulators, dotted bucket names)'
complete -c immukv -n "__fish_immukv_using_subcommand repair" -l read-only -d 'Never write, not even to repair an orphaned entry'
complete -c immukv -n "__fish_immukv_using_subcommand repair" -s h -l help -d 'Print help'
complete -c immukv -n "__fish_immukv_using_subcommand watch" -l output -r -f -a "text\t'Tab-separated lines: sequence, time, key, value, version'
jsonl\t'One JSON object per line'"
complete -c immukv -n "__fish_immukv_using_subcommand watch" -l interval -d 'Seconds between polls (one conditional request each when nothing changed)' -r
complete -c immukv -n "__fish_immukv_using_subcommand watch" -l key-prefix -d 'Only entries whose key starts with this (`--prefix` selects the store itself)' -r
complete -c immukv -n "__fish_immukv_using_subcommand watch" -l from-sequence -d 'Start at this sequence instead of after the newest entry: the entries from it onwards first, then the new ones' -r
complete -c immukv -n "__fish_immukv_using_subcommand watch" -l bucket -d 'The store\'s S3 bucket; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c immukv -n "__fish_immukv_using_subcommand watch" -l prefix -d 'Prefix of the store\'s objects, prepended as is (no `/` added)' -r
complete -c immukv -n "__fish_immukv_using_subcommand watch" -l concurrency -d 'Objects fetched at once by listings and verify' -r
complete -c immukv -n "__fish_immukv_using_subcommand watch" -l log-version-retention -d 'Days a log version is kept once noncurrent (the construct\'s logVersionRetention), for judging a log whose oldest entries are gone when the bucket\'s lifecycle rules cannot be read' -r
complete -c immukv -n "__fish_immukv_using_subcommand watch" -l log-versions-to-retain -d 'Noncurrent log versions kept whatever their age (the construct\'s logVersionsToRetain)' -r
complete -c immukv -n "__fish_immukv_using_subcommand watch" -l key-version-retention -d 'Days a key object version is kept once noncurrent (the construct\'s keyVersionRetention), for telling expired history from a key that did not exist' -r
complete -c immukv -n "__fish_immukv_using_subcommand watch" -l key-versions-to-retain -d 'Noncurrent key object versions kept whatever their age (the construct\'s keyVersionsToRetain)' -r
complete -c immukv -n "__fish_immukv_using_subcommand watch" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c immukv -n "__fish_immukv_using_subcommand watch" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c immukv -n "__fish_immukv_using_subcommand watch" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c immukv -n "__fish_immukv_using_subcommand watch" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c immukv -n "__fish_immukv_using_subcommand watch" -l path-style -d 'Address the bucket by path (emulators, dotted bucket names)'
complete -c immukv -n "__fish_immukv_using_subcommand watch" -l read-only -d 'Never write, not even to repair an orphaned entry'
complete -c immukv -n "__fish_immukv_using_subcommand watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c immukv -n "__fish_immukv_using_subcommand export" -l bucket -d 'The store\'s S3 bucket; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c immukv -n "__fish_immukv_using_subcommand export" -l prefix -d 'Prefix of the store\'s objects, prepended as is (no `/` added)' -r
complete -c immukv -n "__fish_immukv_using_subcommand export" -l concurrency -d 'Objects fetched at once by listings and verify' -r
complete -c immukv -n "__fish_immukv_using_subcommand export" -l log-version-retention -d 'Days a log version is kept once noncurrent (the construct\'s logVersionRetention), for judging a log whose oldest entries are gone when the bucket\'s lifecycle rules cannot be read' -r
complete -c immukv -n "__fish_immukv_using_subcommand export" -l log-versions-to-retain -d 'Noncurrent log versions kept whatever their age (the construct\'s logVersionsToRetain)' -r
complete -c immukv -n "__fish_immukv_using_subcommand export" -l key-version-retention -d 'Days a key object version is kept once noncurrent (the construct\'s keyVersionRetention), for telling expired history from a key that did not exist' -r
complete -c immukv -n "__fish_immukv_using_subcommand export" -l key-versions-to-retain -d 'Noncurrent key object versions kept whatever their age (the construct\'s keyVersionsToRetain)' -r
complete -c immukv -n "__fish_immukv_using_subcommand export" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c immukv -n "__fish_immukv_using_subcommand export" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c immukv -n "__fish_immukv_using_subcommand export" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c immukv -n "__fish_immukv_using_subcommand export" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c immukv -n "__fish_immukv_using_subcommand export" -l path-style -d 'Address the bucket by path (emulators, dotted bucket names)'
complete -c immukv -n "__fish_immukv_using_subcommand export" -l read-only -d 'Never write, not even to repair an orphaned entry'
complete -c immukv -n "__fish_immukv_using_subcommand export" -s h -l help -d 'Print help'
complete -c immukv -n "__fish_immukv_using_subcommand import" -l file -d 'Read the lines from this file instead of stdin' -r -F
complete -c immukv -n "__fish_immukv_using_subcommand import" -l bucket -d 'The store\'s S3 bucket; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c immukv -n "__fish_immukv_using_subcommand import" -l prefix -d 'Prefix of the store\'s objects, prepended as is (no `/` added)' -r
complete -c immukv -n "__fish_immukv_using_subcommand import" -l concurrency -d 'Objects fetched at once by listings and verify' -r
complete -c immukv -n "__fish_immukv_using_subcommand import" -l log-version-retention -d 'Days a log version is kept once noncurrent (the construct\'s logVersionRetention), for judging a log whose oldest entries are gone when the bucket\'s lifecycle rules cannot be read' -r
complete -c immukv -n "__fish_immukv_using_subcommand import" -l log-versions-to-retain -d 'Noncurrent log versions kept whatever their age (the construct\'s logVersionsToRetain)' -r
complete -c immukv -n "__fish_immukv_using_subcommand import" -l key-version-retention -d 'Days a key object version is kept once noncurrent (the construct\'s keyVersionRetention), for telling expired history from a key that did not exist' -r
complete -c immukv -n "__fish_immukv_using_subcommand import" -l key-versions-to-retain -d 'Noncurrent key object versions kept whatever their age (the construct\'s keyVersionsToRetain)' -r
complete -c immukv -n "__fish_immukv_using_subcommand import" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c immukv -n "__fish_immukv_using_subcommand import" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c immukv -n "__fish_immukv_using_subcommand import" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c immukv -n "__fish_immukv_using_subcommand import" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c immukv -n "__fish_immukv_using_subcommand import" -l resume -d 'Continue an interrupted import of the same input after its last line in the log'
complete -c immukv -n "__fish_immukv_using_subcommand import" -l path-style -d 'Address the bucket by path (emulators, dotted bucket names)'
complete -c immukv -n "__fish_immukv_using_subcommand import" -l read-only -d 'Never write, not even to repair an orphaned entry'
complete -c immukv -n "__fish_immukv_using_subcommand import" -s h -l help -d 'Print help'
complete -c immukv -n "__fish_immukv_using_subcommand verify" -l limit -d 'Check only the newest N entries (the chain alone; nothing is remembered)' -r
complete -c immukv -n "__fish_immukv_using_subcommand verify" -l file -d 'Verify a dump written by `immukv export` instead of the store, with no AWS access (with --checkpoint: the dump must hold the checkpoint\'s head)' -r -F
complete -c immukv -n "__fish_immukv_using_subcommand verify" -l checkpoint -d 'Trust this checkpoint (from `immukv checkpoint`: a file, or ssm:/NAME) instead of the head remembered in the cache folder' -r
complete -c immukv -n "__fish_immukv_using_subcommand verify" -l public-key -d 'The checkpoint must be signed by this key: its public half, as `aws kms get-public-key` returns it (PEM, base64 or DER). Offline' -r -F
complete -c immukv -n "__fish_immukv_using_subcommand verify" -l signed-by -d 'The checkpoint must be signed by this KMS key, checked with KMS Verify' -r
complete -c immukv -n "__fish_immukv_using_subcommand verify" -l bucket -d 'The store\'s S3 bucket; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c immukv -n "__fish_immukv_using_subcommand verify" -l prefix -d 'Prefix of the store\'s objects, prepended as is (no `/` added)' -r
complete -c immukv -n "__fish_immukv_using_subcommand verify" -l concurrency -d 'Objects fetched at once by listings and verify' -r
complete -c immukv -n "__fish_immukv_using_subcommand verify" -l log-version-retention -d 'Days a log version is kept once noncurrent (the construct\'s logVersionRetention), for judging a log whose oldest entries are gone when the bucket\'s lifecycle rules cannot be read' -r
complete -c immukv -n "__fish_immukv_using_subcommand verify" -l log-versions-to-retain -d 'Noncurrent log versions kept whatever their age (the construct\'s logVersionsToRetain)' -r
complete -c immukv -n "__fish_immukv_using_subcommand verify" -l key-version-retention -d 'Days a key object version is kept once noncurrent (the construct\'s keyVersionRetention), for telling expired history from a key that did not exist' -r
complete -c immukv -n "__fish_immukv_using_subcommand verify" -l key-versions-to-retain -d 'Noncurrent key object versions kept whatever their age (the construct\'s keyVersionsToRetain)' -r
complete -c immukv -n "__fish_immukv_using_subcommand verify" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c immukv -n "__fish_immukv_using_subcommand verify" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c immukv -n "__fish_immukv_using_subcommand verify" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c immukv -n "__fish_immukv_using_subcommand verify" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c immukv -n "__fish_immukv_using_subcommand verify" -l full -d 'Re-verify the whole chain from genesis (still comparing with the head verified last time)'
complete -c immukv -n "__fish_immukv_using_subcommand verify" -l path-style -d 'Address the bucket by path (emulators, dotted bucket names)'
complete -c immukv -n "__fish_immukv_using_subcommand verify" -l read-only -d 'Never write, not even to repair an orphaned entry'
complete -c immukv -n "__fish_immukv_using_subcommand verify" -s h -l help -d 'Print help'
complete -c immukv -n "__fish_immukv_using_subcommand checkpoint" -l checkpoint -d 'Trust this checkpoint (from `immukv checkpoint`: a file, or ssm:/NAME) instead of the head remembered in the cache folder' -r
complete -c immukv -n "__fish_immukv_using_subcommand checkpoint" -l public-key -d 'The checkpoint must be signed by this key: its public half, as `aws kms get-public-key` returns it (PEM, base64 or DER). Offline' -r -F
complete -c immukv -n "__fish_immukv_using_subcommand checkpoint" -l signed-by -d 'The checkpoint must be signed by this KMS key, checked with KMS Verify' -r
complete -c immukv -n "__fish_immukv_using_subcommand checkpoint" -l sign -d 'Sign it with this KMS key (ECC_NIST_P256 or RSA; alias/NAME, an alias or key ARN, or a key id)' -r
complete -c immukv -n "__fish_immukv_using_subcommand checkpoint" -l put -d 'Also keep it in this SSM parameter, verified against the checkpoint already there: the parameter only moves forward along the same chain' -r
complete -c immukv -n "__fish_immukv_using_subcommand checkpoint" -l bucket -d 'The store\'s S3 bucket; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c immukv -n "__fish_immukv_using_subcommand checkpoint" -l prefix -d 'Prefix of the store\'s objects, prepended as is (no `/` added)' -r
complete -c immukv -n "__fish_immukv_using_subcommand checkpoint" -l concurrency -d 'Objects fetched at once by listings and verify' -r
complete -c immukv -n "__fish_immukv_using_subcommand checkpoint" -l log-version-retention -d 'Days a log version is kept once noncurrent (the construct\'s logVersionRetention), for judging a log whose oldest entries are gone when the bucket\'s lifecycle rules cannot be read' -r
complete -c immukv -n "__fish_immukv_using_subcommand checkpoint" -l log-versions-to-retain -d 'Noncurrent log versions kept whatever their age (the construct\'s logVersionsToRetain)' -r
complete -c immukv -n "__fish_immukv_using_subcommand checkpoint" -l key-version-retention -d 'Days a key object version is kept once noncurrent (the construct\'s keyVersionRetention), for telling expired history from a key that did not exist' -r
complete -c immukv -n "__fish_immukv_using_subcommand checkpoint" -l key-versions-to-retain -d 'Noncurrent key object versions kept whatever their age (the construct\'s keyVersionsToRetain)' -r
complete -c immukv -n "__fish_immukv_using_subcommand checkpoint" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c immukv -n "__fish_immukv_using_subcommand checkpoint" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c immukv -n "__fish_immukv_using_subcommand checkpoint" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c immukv -n "__fish_immukv_using_subcommand checkpoint" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c immukv -n "__fish_immukv_using_subcommand checkpoint" -l full -d 'Re-verify the whole chain from genesis (still comparing with the head verified last time)'
complete -c immukv -n "__fish_immukv_using_subcommand checkpoint" -l force -d 'Put an unsigned checkpoint over a signed one'
complete -c immukv -n "__fish_immukv_using_subcommand checkpoint" -l path-style -d 'Address the bucket by path (emulators, dotted bucket names)'
complete -c immukv -n "__fish_immukv_using_subcommand checkpoint" -l read-only -d 'Never write, not even to repair an orphaned entry'
complete -c immukv -n "__fish_immukv_using_subcommand checkpoint" -s h -l help -d 'Print help'
complete -c immukv -n "__fish_immukv_using_subcommand help; and not __fish_seen_subcommand_from set get history log keys log-entry repair watch export import verify checkpoint help" -f -a "set" -d 'Write a value: JSON from the argument, --file, or stdin'
complete -c immukv -n "__fish_immukv_using_subcommand help; and not __fish_seen_subcommand_from set get history log keys log-entry repair watch export import verify checkpoint help" -f -a "get" -d 'Print a key\'s newest value, or the value it had at a moment in the past'
complete -c immukv -n "__fish_immukv_using_subcommand help; and not __fish_seen_subcommand_from set get history log keys log-entry repair watch export import verify checkpoint help" -f -a "history" -d 'A key\'s entries, newest first'
complete -c immukv -n "__fish_immukv_using_subcommand help; and not __fish_seen_subcommand_from set get history log keys log-entry repair watch export import verify checkpoint help" -f -a "log" -d 'The log\'s entries, newest first'
complete -c immukv -n "__fish_immukv_using_subcommand help; and not __fish_seen_subcommand_from set get history log keys log-entry repair watch export import verify checkpoint help" -f -a "keys" -d 'The store\'s keys, in order'
complete -c immukv -n "__fish_immukv_using_subcommand help; and not __fish_seen_subcommand_from set get history log keys log-entry repair watch export import verify checkpoint help" -f -a "log-entry" -d 'One log entry by its version id'
complete -c immukv -n "__fish_immukv_using_subcommand help; and not __fish_seen_subcommand_from set get history log keys log-entry repair watch export import verify checkpoint help" -f -a "repair" -d 'Rewrite every key object that lags behind its key\'s newest entry in the log (or is missing), from the log, with conditional writes: safe beside live writers, and a second run finds nothing to do. Prints each key object rewritten'
complete -c immukv -n "__fish_immukv_using_subcommand help; and not __fish_seen_subcommand_from set get history log keys log-entry repair watch export import verify checkpoint help" -f -a "watch" -d 'Print entries as they are appended, oldest first, each once, until interrupted (SIGINT, SIGTERM) or stdout closes'
complete -c immukv -n "__fish_immukv_using_subcommand help; and not __fish_seen_subcommand_from set get history log keys log-entry repair watch export import verify checkpoint help" -f -a "export" -d 'Write the whole log as JSON lines, oldest first: every stored field of each entry, byte for byte, with its version id. Verify it offline with `verify --file`'
complete -c immukv -n "__fish_immukv_using_subcommand help; and not __fish_seen_subcommand_from set get history log keys log-entry repair watch export import verify checkpoint help" -f -a "import" -d 'Append JSON lines `{"key": ..., "value": ...}` in order, each exactly once, pipelined (one sequential round trip per line)'
complete -c immukv -n "__fish_immukv_using_subcommand help; and not __fish_seen_subcommand_from set get history log keys log-entry repair watch export import verify checkpoint help" -f -a "verify" -d 'Check the store: the hash chain (newest to oldest, down to the head verified last time), every key object against the log, and that the head verified last time is still there unchanged; exit 1 naming the first problem'
complete -c immukv -n "__fish_immukv_using_subcommand help; and not __fish_seen_subcommand_from set get history log keys log-entry repair watch export import verify checkpoint help" -f -a "checkpoint" -d 'Verify, then print the verified head: a checkpoint to keep (a CI artifact, an SSM parameter) and verify against later with `verify --checkpoint`. JSON, or with --sign a signed note'
complete -c immukv -n "__fish_immukv_using_subcommand help; and not __fish_seen_subcommand_from set get history log keys log-entry repair watch export import verify checkpoint help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
