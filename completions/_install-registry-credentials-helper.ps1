
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'install-registry-credentials-helper' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'install-registry-credentials-helper'
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
        'install-registry-credentials-helper' {
            [CompletionResult]::new('--registry-host', '--registry-host', [CompletionResultType]::ParameterName, 'A registry host the helper serves (repeatable); the settings given with it (--profile, --region, --service, --registry-url, --token-lifetime) are recorded for it in ~/.cdk/registries.json. With --uninstall: the host to remove')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'The AWS service the helper signs for, for these hosts [default: execute-api]')
            [CompletionResult]::new('--token-lifetime', '--token-lifetime', [CompletionResultType]::ParameterName, 'Token lifetime the helper requests for these hosts, in seconds [default: the helper''s, 4 hours]')
            [CompletionResult]::new('--plugin-directory', '--plugin-directory', [CompletionResultType]::ParameterName, 'Where to put the helper [default: ~/.terraform.d/plugins]')
            [CompletionResult]::new('--rc-file', '--rc-file', [CompletionResultType]::ParameterName, 'The CLI-config file to edit [default: $TF_CLI_CONFIG_FILE, else ~/.terraformrc and ~/.tofurc if present]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The helper''s name (terraform-credentials-NAME)')
            [CompletionResult]::new('--check-timeout', '--check-timeout', [CompletionResultType]::ParameterName, 'Give the check this many seconds to get a token')
            [CompletionResult]::new('--registry-url', '--registry-url', [CompletionResultType]::ParameterName, 'Base URL for the helper''s token requests for these hosts instead of https://HOST (a tunnel or private endpoint, an API Gateway stage)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region [default: $AWS_REGION, then the profile''s region]')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]')
            [CompletionResult]::new('--aws-timeout', '--aws-timeout', [CompletionResultType]::ParameterName, 'Give up on an AWS call (all its retries included) after this many seconds')
            [CompletionResult]::new('--link', '--link', [CompletionResultType]::ParameterName, 'Link to get-registry-token instead of copying it (upgrades then apply at once)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace another helper''s credentials_helper block')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print what would change and change nothing')
            [CompletionResult]::new('--uninstall', '--uninstall', [CompletionResultType]::ParameterName, 'Remove what this tool added, and nothing else: with --registry-host, those hosts (the helper and its block go with the last one); without, everything')
            [CompletionResult]::new('--no-check', '--no-check', [CompletionResultType]::ParameterName, 'Do not contact the registries: the installed helper is not run to check it, and no discovery document is read (services overrides already configured stay as they are)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
