
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'api-key' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'api-key'
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
        'api-key' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print the API key: the local cache, then SSM /STACK/api-key; exits 1 when it exists nowhere')
            [CompletionResult]::new('ensure', 'ensure', [CompletionResultType]::ParameterValue, 'Like get, but create the key as the construct does when it is missing')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Put a new key into SSM and the cache (the API accepts it after the next deploy)')
            [CompletionResult]::new('forget', 'forget', [CompletionResultType]::ParameterValue, 'Drop the stack''s key from the local cache only (every account unless --account)')
            [CompletionResult]::new('iam-credentials', 'iam-credentials', [CompletionResultType]::ParameterValue, 'Print IAM invoke credentials from the construct''s secret, optionally as a role session')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run a command with the key (API_KEY) or IAM credentials (AWS_*) in its environment')
            [CompletionResult]::new('call', 'call', [CompletionResultType]::ParameterValue, 'Send one HTTP request to the API with the key or a SigV4 signature')
            [CompletionResult]::new('endpoint', 'endpoint', [CompletionResultType]::ParameterValue, 'Print the API''s base URL from the stack''s APIEndpoint output (cached)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'api-key;get' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The CloudFormation stack the API belongs to')
            [CompletionResult]::new('--stack', '--stack', [CompletionResultType]::ParameterName, 'The CloudFormation stack the API belongs to')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'The stack''s AWS account [default: the caller''s, from STS]; with it, a cache hit makes no network call')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'output')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'api-key;ensure' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The CloudFormation stack the API belongs to')
            [CompletionResult]::new('--stack', '--stack', [CompletionResultType]::ParameterName, 'The CloudFormation stack the API belongs to')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'The stack''s AWS account [default: the caller''s, from STS]; with it, a cache hit makes no network call')
            [CompletionResult]::new('--kms-key-id', '--kms-key-id', [CompletionResultType]::ParameterName, 'KMS key for a new SecureString parameter: alias/NAME, an alias or key ARN, or a key id, checked to be enabled before anything is written [default: aws/ssm]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'output')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'api-key;rotate' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The CloudFormation stack the API belongs to')
            [CompletionResult]::new('--stack', '--stack', [CompletionResultType]::ParameterName, 'The CloudFormation stack the API belongs to')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'The stack''s AWS account [default: the caller''s, from STS]; with it, a cache hit makes no network call')
            [CompletionResult]::new('--kms-key-id', '--kms-key-id', [CompletionResultType]::ParameterName, 'KMS key for a new SecureString parameter: alias/NAME, an alias or key ARN, or a key id, checked to be enabled before anything is written [default: aws/ssm]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'output')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'api-key;forget' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The CloudFormation stack the API belongs to')
            [CompletionResult]::new('--stack', '--stack', [CompletionResultType]::ParameterName, 'The CloudFormation stack the API belongs to')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'The stack''s AWS account [default: the caller''s, from STS]; with it, a cache hit makes no network call')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'api-key;iam-credentials' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The CloudFormation stack the API belongs to')
            [CompletionResult]::new('--stack', '--stack', [CompletionResultType]::ParameterName, 'The CloudFormation stack the API belongs to')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'The stack''s AWS account [default: the caller''s, from STS]; with it, a cache hit makes no network call')
            [CompletionResult]::new('--secret-name', '--secret-name', [CompletionResultType]::ParameterName, 'The secret with the IAM user''s access key [default: STACK/iam-user-credentials]')
            [CompletionResult]::new('--assume-role', '--assume-role', [CompletionResultType]::ParameterName, 'Exchange the user''s key for a role session: the construct''s STACK@api-invoke-role, or the ARN given')
            [CompletionResult]::new('--duration-seconds', '--duration-seconds', [CompletionResultType]::ParameterName, 'Length of an assumed-role session (the construct''s role allows up to 3 hours)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'output')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'api-key;exec' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The CloudFormation stack the API belongs to')
            [CompletionResult]::new('--stack', '--stack', [CompletionResultType]::ParameterName, 'The CloudFormation stack the API belongs to')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'The stack''s AWS account [default: the caller''s, from STS]; with it, a cache hit makes no network call')
            [CompletionResult]::new('--secret-name', '--secret-name', [CompletionResultType]::ParameterName, 'The secret with the IAM user''s access key [default: STACK/iam-user-credentials]')
            [CompletionResult]::new('--assume-role', '--assume-role', [CompletionResultType]::ParameterName, 'Exchange the user''s key for a role session: the construct''s STACK@api-invoke-role, or the ARN given')
            [CompletionResult]::new('--duration-seconds', '--duration-seconds', [CompletionResultType]::ParameterName, 'Length of an assumed-role session (the construct''s role allows up to 3 hours)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('--iam', '--iam', [CompletionResultType]::ParameterName, 'Use IAM invoke credentials (signing for execute-api) instead of the API key')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'api-key;call' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The CloudFormation stack the API belongs to')
            [CompletionResult]::new('--stack', '--stack', [CompletionResultType]::ParameterName, 'The CloudFormation stack the API belongs to')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'The stack''s AWS account [default: the caller''s, from STS]; with it, a cache hit makes no network call')
            [CompletionResult]::new('--secret-name', '--secret-name', [CompletionResultType]::ParameterName, 'The secret with the IAM user''s access key [default: STACK/iam-user-credentials]')
            [CompletionResult]::new('--assume-role', '--assume-role', [CompletionResultType]::ParameterName, 'Exchange the user''s key for a role session: the construct''s STACK@api-invoke-role, or the ARN given')
            [CompletionResult]::new('--duration-seconds', '--duration-seconds', [CompletionResultType]::ParameterName, 'Length of an assumed-role session (the construct''s role allows up to 3 hours)')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'HTTP method')
            [CompletionResult]::new('--request', '--request', [CompletionResultType]::ParameterName, 'HTTP method')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra header, ''Name: value'' (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra header, ''Name: value'' (repeatable)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Request body: TEXT, @FILE, or @- for stdin')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'Request body: TEXT, @FILE, or @- for stdin')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up after this many seconds')
            [CompletionResult]::new('--max-response-bytes', '--max-response-bytes', [CompletionResultType]::ParameterName, 'Refuse a response body larger than this many bytes')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('--iam', '--iam', [CompletionResultType]::ParameterName, 'Use IAM invoke credentials (signing for execute-api) instead of the API key')
            [CompletionResult]::new('--refresh', '--refresh', [CompletionResultType]::ParameterName, 'Look the stack''s endpoint up again instead of using the cached one')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'api-key;endpoint' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The CloudFormation stack the API belongs to')
            [CompletionResult]::new('--stack', '--stack', [CompletionResultType]::ParameterName, 'The CloudFormation stack the API belongs to')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('--refresh', '--refresh', [CompletionResultType]::ParameterName, 'Look it up again instead of using the cached one')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'api-key;help' {
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print the API key: the local cache, then SSM /STACK/api-key; exits 1 when it exists nowhere')
            [CompletionResult]::new('ensure', 'ensure', [CompletionResultType]::ParameterValue, 'Like get, but create the key as the construct does when it is missing')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Put a new key into SSM and the cache (the API accepts it after the next deploy)')
            [CompletionResult]::new('forget', 'forget', [CompletionResultType]::ParameterValue, 'Drop the stack''s key from the local cache only (every account unless --account)')
            [CompletionResult]::new('iam-credentials', 'iam-credentials', [CompletionResultType]::ParameterValue, 'Print IAM invoke credentials from the construct''s secret, optionally as a role session')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run a command with the key (API_KEY) or IAM credentials (AWS_*) in its environment')
            [CompletionResult]::new('call', 'call', [CompletionResultType]::ParameterValue, 'Send one HTTP request to the API with the key or a SigV4 signature')
            [CompletionResult]::new('endpoint', 'endpoint', [CompletionResultType]::ParameterValue, 'Print the API''s base URL from the stack''s APIEndpoint output (cached)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'api-key;help;get' {
            break
        }
        'api-key;help;ensure' {
            break
        }
        'api-key;help;rotate' {
            break
        }
        'api-key;help;forget' {
            break
        }
        'api-key;help;iam-credentials' {
            break
        }
        'api-key;help;exec' {
            break
        }
        'api-key;help;call' {
            break
        }
        'api-key;help;endpoint' {
            break
        }
        'api-key;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
