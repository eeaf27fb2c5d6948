
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'get-registry-token' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'get-registry-token'
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
        'get-registry-token' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'The registry host, without scheme or path (e.g. registry.example.com), or a reference naming it: ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--registry-host', '--registry-host', [CompletionResultType]::ParameterName, 'The registry host, without scheme or path (e.g. registry.example.com), or a reference naming it: ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('-T', '-T ', [CompletionResultType]::ParameterName, 'Lifetime to request for a new token, in seconds (the registry allows up to 60000) [default: the host''s token_lifetime, else 3600]')
            [CompletionResult]::new('--token-lifetime', '--token-lifetime', [CompletionResultType]::ParameterName, 'Lifetime to request for a new token, in seconds (the registry allows up to 60000) [default: the host''s token_lifetime, else 3600]')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'The AWS service to sign for [default: the host''s service, else execute-api]')
            [CompletionResult]::new('--min-remaining', '--min-remaining', [CompletionResultType]::ParameterName, 'Reuse a cached token only while at least this many seconds are left (never more than half of --token-lifetime)')
            [CompletionResult]::new('--registry-url', '--registry-url', [CompletionResultType]::ParameterName, 'Send the token request to this base URL instead of https://HOST (a tunnel or private endpoint); also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on the registry after this many seconds')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Always ask the registry; do not read or write the cache')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('forget', 'forget', [CompletionResultType]::ParameterValue, 'Drop cached and stored tokens for a host (or every host with --all)')
            [CompletionResult]::new('credentials-helper', 'credentials-helper', [CompletionResultType]::ParameterValue, 'Answer Terraform''s credentials-helper protocol (get/store/forget HOST)')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run a command with TF_TOKEN_<host> set for each registry (and TG_TF_REGISTRY_TOKEN for a single one), for tools that ignore credentials helpers; and TF_CLI_CONFIG_FILE when a registry needs a services override the CLI config lacks')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Say which settings and credentials Terraform and OpenTofu will use for a registry host (every configured host without -r), and whether they work; exit 0 when they get a working token for every host, 1 otherwise')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'get-registry-token;forget' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'The registry host whose tokens to drop')
            [CompletionResult]::new('--registry-host', '--registry-host', [CompletionResultType]::ParameterName, 'The registry host whose tokens to drop')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Drop every cached registry token')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'get-registry-token;credentials-helper' {
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'The AWS service to sign for [default: the host''s service, else execute-api]')
            [CompletionResult]::new('--token-lifetime', '--token-lifetime', [CompletionResultType]::ParameterName, 'Lifetime to request for new tokens, in seconds; raised to twice --min-remaining, because Terraform keeps a token for its whole run [default: the host''s token_lifetime, else 14400]')
            [CompletionResult]::new('--min-remaining', '--min-remaining', [CompletionResultType]::ParameterName, 'Hand out a cached token only while at least this many seconds are left')
            [CompletionResult]::new('--registry-host', '--registry-host', [CompletionResultType]::ParameterName, 'A host this helper serves (repeatable), besides those in ~/.cdk/registries.json. Other hosts get `{}`. With none at all, every host but the public registries is served')
            [CompletionResult]::new('--registry-url', '--registry-url', [CompletionResultType]::ParameterName, 'Send token requests to this base URL instead of https://HOST [default: the host''s registry_url]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on the registry after this many seconds')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'get-registry-token;exec' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'A registry host (repeatable); also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--registry-host', '--registry-host', [CompletionResultType]::ParameterName, 'A registry host (repeatable); also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('-T', '-T ', [CompletionResultType]::ParameterName, 'Lifetime to request for a new token, in seconds (the registry allows up to 60000) [default: the host''s token_lifetime, else 3600]')
            [CompletionResult]::new('--token-lifetime', '--token-lifetime', [CompletionResultType]::ParameterName, 'Lifetime to request for a new token, in seconds (the registry allows up to 60000) [default: the host''s token_lifetime, else 3600]')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'The AWS service to sign for [default: the host''s service, else execute-api]')
            [CompletionResult]::new('--min-remaining', '--min-remaining', [CompletionResultType]::ParameterName, 'Reuse a cached token only while at least this many seconds are left (never more than half of --token-lifetime)')
            [CompletionResult]::new('--registry-url', '--registry-url', [CompletionResultType]::ParameterName, 'Send the token request to this base URL instead of https://HOST (a tunnel or private endpoint); also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on the registry after this many seconds')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Always ask the registry; do not read or write the cache')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'get-registry-token;doctor' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'The registry host [default: every configured host]')
            [CompletionResult]::new('--registry-host', '--registry-host', [CompletionResultType]::ParameterName, 'The registry host [default: every configured host]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--tool', '--tool', [CompletionResultType]::ParameterName, 'Which tools to answer for')
            [CompletionResult]::new('--registry-url', '--registry-url', [CompletionResultType]::ParameterName, 'Check tokens against this base URL instead of the helper''s --registry-url or https://HOST')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give the helper and the registry this many seconds each')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'get-registry-token;help' {
            [CompletionResult]::new('forget', 'forget', [CompletionResultType]::ParameterValue, 'Drop cached and stored tokens for a host (or every host with --all)')
            [CompletionResult]::new('credentials-helper', 'credentials-helper', [CompletionResultType]::ParameterValue, 'Answer Terraform''s credentials-helper protocol (get/store/forget HOST)')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run a command with TF_TOKEN_<host> set for each registry (and TG_TF_REGISTRY_TOKEN for a single one), for tools that ignore credentials helpers; and TF_CLI_CONFIG_FILE when a registry needs a services override the CLI config lacks')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Say which settings and credentials Terraform and OpenTofu will use for a registry host (every configured host without -r), and whether they work; exit 0 when they get a working token for every host, 1 otherwise')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'get-registry-token;help;forget' {
            break
        }
        'get-registry-token;help;credentials-helper' {
            break
        }
        'get-registry-token;help;exec' {
            break
        }
        'get-registry-token;help;doctor' {
            break
        }
        'get-registry-token;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
