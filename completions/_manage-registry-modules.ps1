
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'manage-registry-modules' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'manage-registry-modules'
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
        'manage-registry-modules' {
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('pack', 'pack', [CompletionResultType]::ParameterValue, 'Make the module''s reproducible .tar.gz, or list what would go in (--list)')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Publish a module version (or every module a --manifest names) exactly once')
            [CompletionResult]::new('versions', 'versions', [CompletionResultType]::ParameterValue, 'List a module''s versions, as the registry lists them to Terraform')
            [CompletionResult]::new('download', 'download', [CompletionResultType]::ParameterValue, 'Fetch a version''s archive through the registry''s download URL, as Terraform does, checked against its SHA-256')
            [CompletionResult]::new('unpublish', 'unpublish', [CompletionResultType]::ParameterValue, 'Remove a version''s record from the registry''s table (the API has no route for it); its archive stays unless --delete-object')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'manage-registry-modules;pack' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Where to write the archive (`-` for stdout) [default: DIR''s name .tar.gz here]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Where to write the archive (`-` for stdout) [default: DIR''s name .tar.gz here]')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Leave out what matches this pattern (gitignore syntax; repeatable), after .terraformignore''s rules')
            [CompletionResult]::new('--max-size', '--max-size', [CompletionResultType]::ParameterName, 'The largest archive made (S3 takes at most 5 GiB in one upload)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'Print what would go in, what is left out and by which rule, and the size and SHA-256; write nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'manage-registry-modules;publish' {
            [CompletionResult]::new('--manifest', '--manifest', [CompletionResultType]::ParameterName, 'A JSON manifest naming many modules of a tree (docs/registry.md): each is published and reported on its own')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'The registry host (e.g. registry.example.com), or a reference naming it: ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--registry-host', '--registry-host', [CompletionResultType]::ParameterName, 'The registry host (e.g. registry.example.com), or a reference naming it: ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--registry-url', '--registry-url', [CompletionResultType]::ParameterName, 'Reach the registry at this base URL instead of https://HOST (a tunnel, an API Gateway stage); also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'The AWS service its tokens are signed for [default: the host''s, else execute-api]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on the registry (each request) after this many seconds')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The module''s namespace (with --manifest: for the modules that name none)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The module''s namespace (with --manifest: for the modules that name none)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The module''s name')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'The module''s system (e.g. aws)')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'The version, MAJOR.MINOR.PATCH[-PRE] (a leading v is dropped) (with --manifest: for the modules that name none)')
            [CompletionResult]::new('--bucket', '--bucket', [CompletionResultType]::ParameterName, 'The bucket the archive goes into; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'The object key [default: NAMESPACE/NAME/SYSTEM/<the archive''s SHA-256>.tar.gz]')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Write the record into the registry''s DynamoDB table (as its own code does) instead of calling its create route (which 0.2.5 fails); also a reference (ssm:..., stack:..., as --bucket)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: one line (or JSON object) per module')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Leave out what matches this pattern (gitignore syntax; repeatable), after .terraformignore''s rules')
            [CompletionResult]::new('--max-size', '--max-size', [CompletionResultType]::ParameterName, 'The largest archive made (S3 takes at most 5 GiB in one upload)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('--no-verify', '--no-verify', [CompletionResultType]::ParameterName, 'Do not check, after recording, that the registry serves these very bytes')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print what would be done (files, SHA-256, key, record) and touch nothing')
            [CompletionResult]::new('--path-style', '--path-style', [CompletionResultType]::ParameterName, 'Address the bucket by path (emulators, dotted bucket names)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'manage-registry-modules;versions' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'The registry host (e.g. registry.example.com), or a reference naming it: ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--registry-host', '--registry-host', [CompletionResultType]::ParameterName, 'The registry host (e.g. registry.example.com), or a reference naming it: ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--registry-url', '--registry-url', [CompletionResultType]::ParameterName, 'Reach the registry at this base URL instead of https://HOST (a tunnel, an API Gateway stage); also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'The AWS service its tokens are signed for [default: the host''s, else execute-api]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on the registry (each request) after this many seconds')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The module''s namespace')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The module''s namespace')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The module''s name')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'The module''s system (Terraform''s "provider" part of the address, e.g. aws)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'manage-registry-modules;download' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'The registry host (e.g. registry.example.com), or a reference naming it: ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--registry-host', '--registry-host', [CompletionResultType]::ParameterName, 'The registry host (e.g. registry.example.com), or a reference naming it: ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--registry-url', '--registry-url', [CompletionResultType]::ParameterName, 'Reach the registry at this base URL instead of https://HOST (a tunnel, an API Gateway stage); also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'The AWS service its tokens are signed for [default: the host''s, else execute-api]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on the registry (each request) after this many seconds')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The module''s namespace')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The module''s namespace')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The module''s name')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'The module''s system (Terraform''s "provider" part of the address, e.g. aws)')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'The version')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Where to write the archive [default: NAME-VERSION.tar.gz here]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Where to write the archive [default: NAME-VERSION.tar.gz here]')
            [CompletionResult]::new('--extract', '--extract', [CompletionResultType]::ParameterName, 'Unpack it into this new or empty folder instead (only files and folders, only inside it)')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'Check it against the record in the registry''s table (else against the SHA-256 S3 stores for it); also a reference (ssm:..., stack:..., as --bucket)')
            [CompletionResult]::new('--max-size', '--max-size', [CompletionResultType]::ParameterName, 'The largest archive fetched or unpacked')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('--path-style', '--path-style', [CompletionResultType]::ParameterName, 'Address the bucket by path (emulators, dotted bucket names)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'manage-registry-modules;unpublish' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The module''s namespace')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The module''s namespace')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The module''s name')
            [CompletionResult]::new('--system', '--system', [CompletionResultType]::ParameterName, 'The module''s system (Terraform''s "provider" part of the address, e.g. aws)')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'The version')
            [CompletionResult]::new('--table', '--table', [CompletionResultType]::ParameterName, 'The registry''s DynamoDB table; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'The registry host whose settings (profile, region) apply')
            [CompletionResult]::new('--registry-host', '--registry-host', [CompletionResultType]::ParameterName, 'The registry host whose settings (profile, region) apply')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('--delete-object', '--delete-object', [CompletionResultType]::ParameterName, 'Delete the archive too (kept when another version''s record names it)')
            [CompletionResult]::new('--path-style', '--path-style', [CompletionResultType]::ParameterName, 'Address the bucket by path (emulators, dotted bucket names)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'manage-registry-modules;help' {
            [CompletionResult]::new('pack', 'pack', [CompletionResultType]::ParameterValue, 'Make the module''s reproducible .tar.gz, or list what would go in (--list)')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Publish a module version (or every module a --manifest names) exactly once')
            [CompletionResult]::new('versions', 'versions', [CompletionResultType]::ParameterValue, 'List a module''s versions, as the registry lists them to Terraform')
            [CompletionResult]::new('download', 'download', [CompletionResultType]::ParameterValue, 'Fetch a version''s archive through the registry''s download URL, as Terraform does, checked against its SHA-256')
            [CompletionResult]::new('unpublish', 'unpublish', [CompletionResultType]::ParameterValue, 'Remove a version''s record from the registry''s table (the API has no route for it); its archive stays unless --delete-object')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'manage-registry-modules;help;pack' {
            break
        }
        'manage-registry-modules;help;publish' {
            break
        }
        'manage-registry-modules;help;versions' {
            break
        }
        'manage-registry-modules;help;download' {
            break
        }
        'manage-registry-modules;help;unpublish' {
            break
        }
        'manage-registry-modules;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
