# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_get_registry_token_global_optspecs
    string join \n r/registry-host= T/token-lifetime= service= min-remaining= no-cache registry-url= timeout= profile= region= endpoint-url= aws-timeout= h/help V/version
end

function __fish_get_registry_token_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_get_registry_token_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_get_registry_token_using_subcommand
    set -l cmd (__fish_get_registry_token_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c get-registry-token -n "__fish_get_registry_token_needs_command" -s r -l registry-host -d 'The registry host, without scheme or path (e.g. registry.example.com), or a reference naming it: ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c get-registry-token -n "__fish_get_registry_token_needs_command" -s T -l token-lifetime -d 'Lifetime to request for a new token, in seconds (the registry allows up to 60000) [default: the host\'s token_lifetime, else 3600]' -r
complete -c get-registry-token -n "__fish_get_registry_token_needs_command" -l service -d 'The AWS service to sign for [default: the host\'s service, else execute-api]' -r -f -a "execute-api\t'The registry sits behind API Gateway'
lambda\t'The registry is a Lambda function URL'"
complete -c get-registry-token -n "__fish_get_registry_token_needs_command" -l min-remaining -d 'Reuse a cached token only while at least this many seconds are left (never more than half of --token-lifetime)' -r
complete -c get-registry-token -n "__fish_get_registry_token_needs_command" -l registry-url -d 'Send the token request to this base URL instead of https://HOST (a tunnel or private endpoint); also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c get-registry-token -n "__fish_get_registry_token_needs_command" -l timeout -d 'Give up on the registry after this many seconds' -r
complete -c get-registry-token -n "__fish_get_registry_token_needs_command" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c get-registry-token -n "__fish_get_registry_token_needs_command" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c get-registry-token -n "__fish_get_registry_token_needs_command" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c get-registry-token -n "__fish_get_registry_token_needs_command" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c get-registry-token -n "__fish_get_registry_token_needs_command" -l no-cache -d 'Always ask the registry; do not read or write the cache'
complete -c get-registry-token -n "__fish_get_registry_token_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c get-registry-token -n "__fish_get_registry_token_needs_command" -s V -l version -d 'Print version'
complete -c get-registry-token -n "__fish_get_registry_token_needs_command" -a "forget" -d 'Drop cached and stored tokens for a host (or every host with --all)'
complete -c get-registry-token -n "__fish_get_registry_token_needs_command" -a "credentials-helper" -d 'Answer Terraform\'s credentials-helper protocol (get/store/forget HOST)'
complete -c get-registry-token -n "__fish_get_registry_token_needs_command" -a "exec" -d 'Run a command with TF_TOKEN_<host> set for each registry (and TG_TF_REGISTRY_TOKEN for a single one), for tools that ignore credentials helpers; and TF_CLI_CONFIG_FILE when a registry needs a services override the CLI config lacks'
complete -c get-registry-token -n "__fish_get_registry_token_needs_command" -a "doctor" -d 'Say which settings and credentials Terraform and OpenTofu will use for a registry host (every configured host without -r), and whether they work; exit 0 when they get a working token for every host, 1 otherwise'
complete -c get-registry-token -n "__fish_get_registry_token_needs_command" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand forget" -s r -l registry-host -d 'The registry host whose tokens to drop' -r
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand forget" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand forget" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand forget" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand forget" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand forget" -l all -d 'Drop every cached registry token'
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand forget" -s h -l help -d 'Print help'
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand credentials-helper" -l service -d 'The AWS service to sign for [default: the host\'s service, else execute-api]' -r -f -a "execute-api\t'The registry sits behind API Gateway'
lambda\t'The registry is a Lambda function URL'"
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand credentials-helper" -l token-lifetime -d 'Lifetime to request for new tokens, in seconds; raised to twice --min-remaining, because Terraform keeps a token for its whole run [default: the host\'s token_lifetime, else 14400]' -r
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand credentials-helper" -l min-remaining -d 'Hand out a cached token only while at least this many seconds are left' -r
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand credentials-helper" -l registry-host -d 'A host this helper serves (repeatable), besides those in ~/.cdk/registries.json. Other hosts get `{}`. With none at all, every host but the public registries is served' -r
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand credentials-helper" -l registry-url -d 'Send token requests to this base URL instead of https://HOST [default: the host\'s registry_url]' -r
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand credentials-helper" -l timeout -d 'Give up on the registry after this many seconds' -r
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand credentials-helper" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand credentials-helper" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand credentials-helper" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand credentials-helper" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand credentials-helper" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand exec" -s r -l registry-host -d 'A registry host (repeatable); also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand exec" -s T -l token-lifetime -d 'Lifetime to request for a new token, in seconds (the registry allows up to 60000) [default: the host\'s token_lifetime, else 3600]' -r
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand exec" -l service -d 'The AWS service to sign for [default: the host\'s service, else execute-api]' -r -f -a "execute-api\t'The registry sits behind API Gateway'
lambda\t'The registry is a Lambda function URL'"
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand exec" -l min-remaining -d 'Reuse a cached token only while at least this many seconds are left (never more than half of --token-lifetime)' -r
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand exec" -l registry-url -d 'Send the token request to this base URL instead of https://HOST (a tunnel or private endpoint); also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand exec" -l timeout -d 'Give up on the registry after this many seconds' -r
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand exec" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand exec" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand exec" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand exec" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand exec" -l no-cache -d 'Always ask the registry; do not read or write the cache'
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand exec" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand doctor" -s r -l registry-host -d 'The registry host [default: every configured host]' -r
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand doctor" -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand doctor" -l tool -d 'Which tools to answer for' -r -f -a "both\t''
terraform\t''
opentofu\t''"
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand doctor" -l registry-url -d 'Check tokens against this base URL instead of the helper\'s --registry-url or https://HOST' -r
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand doctor" -l timeout -d 'Give the helper and the registry this many seconds each' -r
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand doctor" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand doctor" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand doctor" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand doctor" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand help; and not __fish_seen_subcommand_from forget credentials-helper exec doctor help" -f -a "forget" -d 'Drop cached and stored tokens for a host (or every host with --all)'
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand help; and not __fish_seen_subcommand_from forget credentials-helper exec doctor help" -f -a "credentials-helper" -d 'Answer Terraform\'s credentials-helper protocol (get/store/forget HOST)'
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand help; and not __fish_seen_subcommand_from forget credentials-helper exec doctor help" -f -a "exec" -d 'Run a command with TF_TOKEN_<host> set for each registry (and TG_TF_REGISTRY_TOKEN for a single one), for tools that ignore credentials helpers; and TF_CLI_CONFIG_FILE when a registry needs a services override the CLI config lacks'
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand help; and not __fish_seen_subcommand_from forget credentials-helper exec doctor help" -f -a "doctor" -d 'Say which settings and credentials Terraform and OpenTofu will use for a registry host (every configured host without -r), and whether they work; exit 0 when they get a working token for every host, 1 otherwise'
complete -c get-registry-token -n "__fish_get_registry_token_using_subcommand help; and not __fish_seen_subcommand_from forget credentials-helper exec doctor help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
