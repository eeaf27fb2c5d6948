complete -c install-registry-credentials-helper -l registry-host -d 'A registry host the helper serves (repeatable); the settings given with it (--profile, --region, --service, --registry-url, --token-lifetime) are recorded for it in ~/.cdk/registries.json. With --uninstall: the host to remove' -r
complete -c install-registry-credentials-helper -l service -d 'The AWS service the helper signs for, for these hosts [default: execute-api]' -r -f -a "execute-api\t'The registry sits behind API Gateway'
lambda\t'The registry is a Lambda function URL'"
complete -c install-registry-credentials-helper -l token-lifetime -d 'Token lifetime the helper requests for these hosts, in seconds [default: the helper\'s, 4 hours]' -r
complete -c install-registry-credentials-helper -l plugin-directory -d 'Where to put the helper [default: ~/.terraform.d/plugins]' -r -F
complete -c install-registry-credentials-helper -l rc-file -d 'The CLI-config file to edit [default: $TF_CLI_CONFIG_FILE, else ~/.terraformrc and ~/.tofurc if present]' -r -F
complete -c install-registry-credentials-helper -l name -d 'The helper\'s name (terraform-credentials-NAME)' -r
complete -c install-registry-credentials-helper -l check-timeout -d 'Give the check this many seconds to get a token' -r
complete -c install-registry-credentials-helper -l registry-url -d 'Base URL for the helper\'s token requests for these hosts instead of https://HOST (a tunnel or private endpoint, an API Gateway stage)' -r
complete -c install-registry-credentials-helper -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c install-registry-credentials-helper -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c install-registry-credentials-helper -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c install-registry-credentials-helper -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c install-registry-credentials-helper -l link -d 'Link to get-registry-token instead of copying it (upgrades then apply at once)'
complete -c install-registry-credentials-helper -l force -d 'Replace another helper\'s credentials_helper block'
complete -c install-registry-credentials-helper -l dry-run -d 'Print what would change and change nothing'
complete -c install-registry-credentials-helper -l uninstall -d 'Remove what this tool added, and nothing else: with --registry-host, those hosts (the helper and its block go with the last one); without, everything'
complete -c install-registry-credentials-helper -l no-check -d 'Do not contact the registries: the installed helper is not run to check it, and no discovery document is read (services overrides already configured stay as they are)'
complete -c install-registry-credentials-helper -s h -l help -d 'Print help (see more with \'--help\')'
complete -c install-registry-credentials-helper -s V -l version -d 'Print version'
