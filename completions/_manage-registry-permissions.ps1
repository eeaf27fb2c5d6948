
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'manage-registry-permissions' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'manage-registry-permissions'
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
        'manage-registry-permissions' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'The IAM role the grant is for (an assumed-role or SSO session ARN is turned into its role)')
            [CompletionResult]::new('--role-arn', '--role-arn', [CompletionResultType]::ParameterName, 'The IAM role the grant is for (an assumed-role or SSO session ARN is turned into its role)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The registry namespace')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The registry namespace')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'The registry''s DynamoDB table; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a grant (fails if it exists); unnamed permissions are off')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Change the named permissions of an existing grant; the others stay as they are')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a grant (asks on a terminal unless --yes); exits 1 when there was none')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Show one grant; exits 1 when there is none')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List grants: of --namespace, of --role-arn, or all')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'manage-registry-permissions;create' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Allow downloading modules')
            [CompletionResult]::new('--download', '--download', [CompletionResultType]::ParameterName, 'Allow downloading modules')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Allow uploading modules')
            [CompletionResult]::new('--upload', '--upload', [CompletionResultType]::ParameterName, 'Allow uploading modules')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Allow creating grants')
            [CompletionResult]::new('--create-grant', '--create-grant', [CompletionResultType]::ParameterName, 'Allow creating grants')
            [CompletionResult]::new('-D', '-D ', [CompletionResultType]::ParameterName, 'Allow deleting grants')
            [CompletionResult]::new('--delete-grant', '--delete-grant', [CompletionResultType]::ParameterName, 'Allow deleting grants')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'The IAM role the grant is for (an assumed-role or SSO session ARN is turned into its role)')
            [CompletionResult]::new('--role-arn', '--role-arn', [CompletionResultType]::ParameterName, 'The IAM role the grant is for (an assumed-role or SSO session ARN is turned into its role)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The registry namespace')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The registry namespace')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'The registry''s DynamoDB table; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('--no-download', '--no-download', [CompletionResultType]::ParameterName, 'Deny downloading modules')
            [CompletionResult]::new('--no-upload', '--no-upload', [CompletionResultType]::ParameterName, 'Deny uploading modules')
            [CompletionResult]::new('--no-create-grant', '--no-create-grant', [CompletionResultType]::ParameterName, 'Deny creating grants')
            [CompletionResult]::new('--no-delete-grant', '--no-delete-grant', [CompletionResultType]::ParameterName, 'Deny deleting grants')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'manage-registry-permissions;update' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Allow downloading modules')
            [CompletionResult]::new('--download', '--download', [CompletionResultType]::ParameterName, 'Allow downloading modules')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Allow uploading modules')
            [CompletionResult]::new('--upload', '--upload', [CompletionResultType]::ParameterName, 'Allow uploading modules')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Allow creating grants')
            [CompletionResult]::new('--create-grant', '--create-grant', [CompletionResultType]::ParameterName, 'Allow creating grants')
            [CompletionResult]::new('-D', '-D ', [CompletionResultType]::ParameterName, 'Allow deleting grants')
            [CompletionResult]::new('--delete-grant', '--delete-grant', [CompletionResultType]::ParameterName, 'Allow deleting grants')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'The IAM role the grant is for (an assumed-role or SSO session ARN is turned into its role)')
            [CompletionResult]::new('--role-arn', '--role-arn', [CompletionResultType]::ParameterName, 'The IAM role the grant is for (an assumed-role or SSO session ARN is turned into its role)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The registry namespace')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The registry namespace')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'The registry''s DynamoDB table; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('--no-download', '--no-download', [CompletionResultType]::ParameterName, 'Deny downloading modules')
            [CompletionResult]::new('--no-upload', '--no-upload', [CompletionResultType]::ParameterName, 'Deny uploading modules')
            [CompletionResult]::new('--no-create-grant', '--no-create-grant', [CompletionResultType]::ParameterName, 'Deny creating grants')
            [CompletionResult]::new('--no-delete-grant', '--no-delete-grant', [CompletionResultType]::ParameterName, 'Deny deleting grants')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'manage-registry-permissions;delete' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'The IAM role the grant is for (an assumed-role or SSO session ARN is turned into its role)')
            [CompletionResult]::new('--role-arn', '--role-arn', [CompletionResultType]::ParameterName, 'The IAM role the grant is for (an assumed-role or SSO session ARN is turned into its role)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The registry namespace')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The registry namespace')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'The registry''s DynamoDB table; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'manage-registry-permissions;get' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'The IAM role the grant is for (an assumed-role or SSO session ARN is turned into its role)')
            [CompletionResult]::new('--role-arn', '--role-arn', [CompletionResultType]::ParameterName, 'The IAM role the grant is for (an assumed-role or SSO session ARN is turned into its role)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The registry namespace')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The registry namespace')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'The registry''s DynamoDB table; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'manage-registry-permissions;list' {
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'Items DynamoDB returns per request (every page is read)')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'The IAM role the grant is for (an assumed-role or SSO session ARN is turned into its role)')
            [CompletionResult]::new('--role-arn', '--role-arn', [CompletionResultType]::ParameterName, 'The IAM role the grant is for (an assumed-role or SSO session ARN is turned into its role)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The registry namespace')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The registry namespace')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'The registry''s DynamoDB table; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'manage-registry-permissions;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a grant (fails if it exists); unnamed permissions are off')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Change the named permissions of an existing grant; the others stay as they are')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a grant (asks on a terminal unless --yes); exits 1 when there was none')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Show one grant; exits 1 when there is none')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List grants: of --namespace, of --role-arn, or all')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'manage-registry-permissions;help;create' {
            break
        }
        'manage-registry-permissions;help;update' {
            break
        }
        'manage-registry-permissions;help;delete' {
            break
        }
        'manage-registry-permissions;help;get' {
            break
        }
        'manage-registry-permissions;help;list' {
            break
        }
        'manage-registry-permissions;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
