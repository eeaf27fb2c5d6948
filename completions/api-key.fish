# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_api_key_global_optspecs
    string join \n profile= region= endpoint-url= aws-timeout= h/help V/version
end

function __fish_api_key_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_api_key_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_api_key_using_subcommand
    set -l cmd (__fish_api_key_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c api-key -n "__fish_api_key_needs_command" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c api-key -n "__fish_api_key_needs_command" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c api-key -n "__fish_api_key_needs_command" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c api-key -n "__fish_api_key_needs_command" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c api-key -n "__fish_api_key_needs_command" -s h -l help -d 'Print help'
complete -c api-key -n "__fish_api_key_needs_command" -s V -l version -d 'Print version'
complete -c api-key -n "__fish_api_key_needs_command" -f -a "get" -d 'Print the API key: the local cache, then SSM /STACK/api-key; exits 1 when it exists nowhere'
complete -c api-key -n "__fish_api_key_needs_command" -f -a "ensure" -d 'Like get, but create the key as the construct does when it is missing'
complete -c api-key -n "__fish_api_key_needs_command" -f -a "rotate" -d 'Put a new key into SSM and the cache (the API accepts it after the next deploy)'
complete -c api-key -n "__fish_api_key_needs_command" -f -a "forget" -d 'Drop the stack\'s key from the local cache only (every account unless --account)'
complete -c api-key -n "__fish_api_key_needs_command" -f -a "iam-credentials" -d 'Print IAM invoke credentials from the construct\'s secret, optionally as a role session'
complete -c api-key -n "__fish_api_key_needs_command" -f -a "exec" -d 'Run a command with the key (API_KEY) or IAM credentials (AWS_*) in its environment'
complete -c api-key -n "__fish_api_key_needs_command" -f -a "call" -d 'Send one HTTP request to the API with the key or a SigV4 signature'
complete -c api-key -n "__fish_api_key_needs_command" -f -a "endpoint" -d 'Print the API\'s base URL from the stack\'s APIEndpoint output (cached)'
complete -c api-key -n "__fish_api_key_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c api-key -n "__fish_api_key_using_subcommand get" -s s -l stack -d 'The CloudFormation stack the API belongs to' -r
complete -c api-key -n "__fish_api_key_using_subcommand get" -l account -d 'The stack\'s AWS account [default: the caller\'s, from STS]; with it, a cache hit makes no network call' -r
complete -c api-key -n "__fish_api_key_using_subcommand get" -l output -r -f -a "text\t'The bare value (several values: NAME=value lines)'
json\t'A JSON object'
env\t'`export NAME=\'value\'` lines for `eval` in a POSIX shell'
powershell\t'`$env:NAME = \'value\'` lines for PowerShell (`| Invoke-Expression`)'
fish\t'`set -gx NAME \'value\'` lines for fish (`| source`)'
dotenv\t'`NAME="value"` lines for .env files'
github\t'Append to $GITHUB_ENV and mask the values in the job log'"
complete -c api-key -n "__fish_api_key_using_subcommand get" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c api-key -n "__fish_api_key_using_subcommand get" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c api-key -n "__fish_api_key_using_subcommand get" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c api-key -n "__fish_api_key_using_subcommand get" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c api-key -n "__fish_api_key_using_subcommand get" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c api-key -n "__fish_api_key_using_subcommand ensure" -s s -l stack -d 'The CloudFormation stack the API belongs to' -r
complete -c api-key -n "__fish_api_key_using_subcommand ensure" -l account -d 'The stack\'s AWS account [default: the caller\'s, from STS]; with it, a cache hit makes no network call' -r
complete -c api-key -n "__fish_api_key_using_subcommand ensure" -l kms-key-id -d 'KMS key for a new SecureString parameter: alias/NAME, an alias or key ARN, or a key id, checked to be enabled before anything is written [default: aws/ssm]' -r
complete -c api-key -n "__fish_api_key_using_subcommand ensure" -l output -r -f -a "text\t'The bare value (several values: NAME=value lines)'
json\t'A JSON object'
env\t'`export NAME=\'value\'` lines for `eval` in a POSIX shell'
powershell\t'`$env:NAME = \'value\'` lines for PowerShell (`| Invoke-Expression`)'
fish\t'`set -gx NAME \'value\'` lines for fish (`| source`)'
dotenv\t'`NAME="value"` lines for .env files'
github\t'Append to $GITHUB_ENV and mask the values in the job log'"
complete -c api-key -n "__fish_api_key_using_subcommand ensure" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c api-key -n "__fish_api_key_using_subcommand ensure" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c api-key -n "__fish_api_key_using_subcommand ensure" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c api-key -n "__fish_api_key_using_subcommand ensure" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c api-key -n "__fish_api_key_using_subcommand ensure" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c api-key -n "__fish_api_key_using_subcommand rotate" -s s -l stack -d 'The CloudFormation stack the API belongs to' -r
complete -c api-key -n "__fish_api_key_using_subcommand rotate" -l account -d 'The stack\'s AWS account [default: the caller\'s, from STS]; with it, a cache hit makes no network call' -r
complete -c api-key -n "__fish_api_key_using_subcommand rotate" -l kms-key-id -d 'KMS key for a new SecureString parameter: alias/NAME, an alias or key ARN, or a key id, checked to be enabled before anything is written [default: aws/ssm]' -r
complete -c api-key -n "__fish_api_key_using_subcommand rotate" -l output -r -f -a "text\t'The bare value (several values: NAME=value lines)'
json\t'A JSON object'
env\t'`export NAME=\'value\'` lines for `eval` in a POSIX shell'
powershell\t'`$env:NAME = \'value\'` lines for PowerShell (`| Invoke-Expression`)'
fish\t'`set -gx NAME \'value\'` lines for fish (`| source`)'
dotenv\t'`NAME="value"` lines for .env files'
github\t'Append to $GITHUB_ENV and mask the values in the job log'"
complete -c api-key -n "__fish_api_key_using_subcommand rotate" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c api-key -n "__fish_api_key_using_subcommand rotate" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c api-key -n "__fish_api_key_using_subcommand rotate" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c api-key -n "__fish_api_key_using_subcommand rotate" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c api-key -n "__fish_api_key_using_subcommand rotate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c api-key -n "__fish_api_key_using_subcommand forget" -s s -l stack -d 'The CloudFormation stack the API belongs to' -r
complete -c api-key -n "__fish_api_key_using_subcommand forget" -l account -d 'The stack\'s AWS account [default: the caller\'s, from STS]; with it, a cache hit makes no network call' -r
complete -c api-key -n "__fish_api_key_using_subcommand forget" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c api-key -n "__fish_api_key_using_subcommand forget" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c api-key -n "__fish_api_key_using_subcommand forget" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c api-key -n "__fish_api_key_using_subcommand forget" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c api-key -n "__fish_api_key_using_subcommand forget" -s h -l help -d 'Print help'
complete -c api-key -n "__fish_api_key_using_subcommand iam-credentials" -s s -l stack -d 'The CloudFormation stack the API belongs to' -r
complete -c api-key -n "__fish_api_key_using_subcommand iam-credentials" -l account -d 'The stack\'s AWS account [default: the caller\'s, from STS]; with it, a cache hit makes no network call' -r
complete -c api-key -n "__fish_api_key_using_subcommand iam-credentials" -l secret-name -d 'The secret with the IAM user\'s access key [default: STACK/iam-user-credentials]' -r
complete -c api-key -n "__fish_api_key_using_subcommand iam-credentials" -l assume-role -d 'Exchange the user\'s key for a role session: the construct\'s STACK@api-invoke-role, or the ARN given' -r
complete -c api-key -n "__fish_api_key_using_subcommand iam-credentials" -l duration-seconds -d 'Length of an assumed-role session (the construct\'s role allows up to 3 hours)' -r
complete -c api-key -n "__fish_api_key_using_subcommand iam-credentials" -l output -r -f -a "env\t'`export AWS_ACCESS_KEY_ID=...` lines'
powershell\t'`$env:AWS_ACCESS_KEY_ID = \'...\'` lines for PowerShell'
fish\t'`set -gx AWS_ACCESS_KEY_ID \'...\'` lines for fish'
dotenv\t'`AWS_ACCESS_KEY_ID="..."` lines for .env files'
json\t'A JSON object of the variables'
github\t'Append to $GITHUB_ENV and mask the values'
credential-process\t'The AWS `credential_process` JSON (Version 1), to back a profile in ~/.aws/config'"
complete -c api-key -n "__fish_api_key_using_subcommand iam-credentials" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c api-key -n "__fish_api_key_using_subcommand iam-credentials" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c api-key -n "__fish_api_key_using_subcommand iam-credentials" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c api-key -n "__fish_api_key_using_subcommand iam-credentials" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c api-key -n "__fish_api_key_using_subcommand iam-credentials" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c api-key -n "__fish_api_key_using_subcommand exec" -s s -l stack -d 'The CloudFormation stack the API belongs to' -r
complete -c api-key -n "__fish_api_key_using_subcommand exec" -l account -d 'The stack\'s AWS account [default: the caller\'s, from STS]; with it, a cache hit makes no network call' -r
complete -c api-key -n "__fish_api_key_using_subcommand exec" -l secret-name -d 'The secret with the IAM user\'s access key [default: STACK/iam-user-credentials]' -r
complete -c api-key -n "__fish_api_key_using_subcommand exec" -l assume-role -d 'Exchange the user\'s key for a role session: the construct\'s STACK@api-invoke-role, or the ARN given' -r
complete -c api-key -n "__fish_api_key_using_subcommand exec" -l duration-seconds -d 'Length of an assumed-role session (the construct\'s role allows up to 3 hours)' -r
complete -c api-key -n "__fish_api_key_using_subcommand exec" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c api-key -n "__fish_api_key_using_subcommand exec" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c api-key -n "__fish_api_key_using_subcommand exec" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c api-key -n "__fish_api_key_using_subcommand exec" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c api-key -n "__fish_api_key_using_subcommand exec" -l iam -d 'Use IAM invoke credentials (signing for execute-api) instead of the API key'
complete -c api-key -n "__fish_api_key_using_subcommand exec" -s h -l help -d 'Print help'
complete -c api-key -n "__fish_api_key_using_subcommand call" -s s -l stack -d 'The CloudFormation stack the API belongs to' -r
complete -c api-key -n "__fish_api_key_using_subcommand call" -l account -d 'The stack\'s AWS account [default: the caller\'s, from STS]; with it, a cache hit makes no network call' -r
complete -c api-key -n "__fish_api_key_using_subcommand call" -l secret-name -d 'The secret with the IAM user\'s access key [default: STACK/iam-user-credentials]' -r
complete -c api-key -n "__fish_api_key_using_subcommand call" -l assume-role -d 'Exchange the user\'s key for a role session: the construct\'s STACK@api-invoke-role, or the ARN given' -r
complete -c api-key -n "__fish_api_key_using_subcommand call" -l duration-seconds -d 'Length of an assumed-role session (the construct\'s role allows up to 3 hours)' -r
complete -c api-key -n "__fish_api_key_using_subcommand call" -s X -l request -d 'HTTP method' -r
complete -c api-key -n "__fish_api_key_using_subcommand call" -s H -l header -d 'Extra header, \'Name: value\' (repeatable)' -r
complete -c api-key -n "__fish_api_key_using_subcommand call" -s d -l data -d 'Request body: TEXT, @FILE, or @- for stdin' -r
complete -c api-key -n "__fish_api_key_using_subcommand call" -l timeout -d 'Give up after this many seconds' -r
complete -c api-key -n "__fish_api_key_using_subcommand call" -l max-response-bytes -d 'Refuse a response body larger than this many bytes' -r
complete -c api-key -n "__fish_api_key_using_subcommand call" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c api-key -n "__fish_api_key_using_subcommand call" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c api-key -n "__fish_api_key_using_subcommand call" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c api-key -n "__fish_api_key_using_subcommand call" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c api-key -n "__fish_api_key_using_subcommand call" -l iam -d 'Use IAM invoke credentials (signing for execute-api) instead of the API key'
complete -c api-key -n "__fish_api_key_using_subcommand call" -l refresh -d 'Look the stack\'s endpoint up again instead of using the cached one'
complete -c api-key -n "__fish_api_key_using_subcommand call" -s h -l help -d 'Print help'
complete -c api-key -n "__fish_api_key_using_subcommand endpoint" -s s -l stack -d 'The CloudFormation stack the API belongs to' -r
complete -c api-key -n "__fish_api_key_using_subcommand endpoint" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c api-key -n "__fish_api_key_using_subcommand endpoint" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c api-key -n "__fish_api_key_using_subcommand endpoint" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c api-key -n "__fish_api_key_using_subcommand endpoint" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c api-key -n "__fish_api_key_using_subcommand endpoint" -l refresh -d 'Look it up again instead of using the cached one'
complete -c api-key -n "__fish_api_key_using_subcommand endpoint" -s h -l help -d 'Print help'
complete -c api-key -n "__fish_api_key_using_subcommand help; and not __fish_seen_subcommand_from get ensure rotate forget iam-credentials exec call endpoint help" -f -a "get" -d 'Print the API key: the local cache, then SSM /STACK/api-key; exits 1 when it exists nowhere'
complete -c api-key -n "__fish_api_key_using_subcommand help; and not __fish_seen_subcommand_from get ensure rotate forget iam-credentials exec call endpoint help" -f -a "ensure" -d 'Like get, but create the key as the construct does when it is missing'
complete -c api-key -n "__fish_api_key_using_subcommand help; and not __fish_seen_subcommand_from get ensure rotate forget iam-credentials exec call endpoint help" -f -a "rotate" -d 'Put a new key into SSM and the cache (the API accepts it after the next deploy)'
complete -c api-key -n "__fish_api_key_using_subcommand help; and not __fish_seen_subcommand_from get ensure rotate forget iam-credentials exec call endpoint help" -f -a "forget" -d 'Drop the stack\'s key from the local cache only (every account unless --account)'
complete -c api-key -n "__fish_api_key_using_subcommand help; and not __fish_seen_subcommand_from get ensure rotate forget iam-credentials exec call endpoint help" -f -a "iam-credentials" -d 'Print IAM invoke credentials from the construct\'s secret, optionally as a role session'
complete -c api-key -n "__fish_api_key_using_subcommand help; and not __fish_seen_subcommand_from get ensure rotate forget iam-credentials exec call endpoint help" -f -a "exec" -d 'Run a command with the key (API_KEY) or IAM credentials (AWS_*) in its environment'
complete -c api-key -n "__fish_api_key_using_subcommand help; and not __fish_seen_subcommand_from get ensure rotate forget iam-credentials exec call endpoint help" -f -a "call" -d 'Send one HTTP request to the API with the key or a SigV4 signature'
complete -c api-key -n "__fish_api_key_using_subcommand help; and not __fish_seen_subcommand_from get ensure rotate forget iam-credentials exec call endpoint help" -f -a "endpoint" -d 'Print the API\'s base URL from the stack\'s APIEndpoint output (cached)'
complete -c api-key -n "__fish_api_key_using_subcommand help; and not __fish_seen_subcommand_from get ensure rotate forget iam-credentials exec call endpoint help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
