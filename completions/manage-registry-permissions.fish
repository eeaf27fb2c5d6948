# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_manage_registry_permissions_global_optspecs
    string join \n r/role-arn= n/namespace= table= output= profile= region= endpoint-url= aws-timeout= h/help V/version
end

function __fish_manage_registry_permissions_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_manage_registry_permissions_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_manage_registry_permissions_using_subcommand
    set -l cmd (__fish_manage_registry_permissions_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_needs_command" -s r -l role-arn -d 'The IAM role the grant is for (an assumed-role or SSO session ARN is turned into its role)' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_needs_command" -s n -l namespace -d 'The registry namespace' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_needs_command" -l table -d 'The registry\'s DynamoDB table; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_needs_command" -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_needs_command" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_needs_command" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_needs_command" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_needs_command" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_needs_command" -s h -l help -d 'Print help'
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_needs_command" -s V -l version -d 'Print version'
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_needs_command" -f -a "create" -d 'Create a grant (fails if it exists); unnamed permissions are off'
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_needs_command" -f -a "update" -d 'Change the named permissions of an existing grant; the others stay as they are'
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_needs_command" -f -a "delete" -d 'Delete a grant (asks on a terminal unless --yes); exits 1 when there was none'
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_needs_command" -f -a "get" -d 'Show one grant; exits 1 when there is none'
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_needs_command" -f -a "list" -d 'List grants: of --namespace, of --role-arn, or all'
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand create" -s d -l download -d 'Allow downloading modules' -r -f -a "true\t''
false\t''"
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand create" -s u -l upload -d 'Allow uploading modules' -r -f -a "true\t''
false\t''"
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand create" -s c -l create-grant -d 'Allow creating grants' -r -f -a "true\t''
false\t''"
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand create" -s D -l delete-grant -d 'Allow deleting grants' -r -f -a "true\t''
false\t''"
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand create" -s r -l role-arn -d 'The IAM role the grant is for (an assumed-role or SSO session ARN is turned into its role)' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand create" -s n -l namespace -d 'The registry namespace' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand create" -l table -d 'The registry\'s DynamoDB table; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand create" -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand create" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand create" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand create" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand create" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand create" -l no-download -d 'Deny downloading modules'
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand create" -l no-upload -d 'Deny uploading modules'
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand create" -l no-create-grant -d 'Deny creating grants'
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand create" -l no-delete-grant -d 'Deny deleting grants'
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand create" -s h -l help -d 'Print help'
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand update" -s d -l download -d 'Allow downloading modules' -r -f -a "true\t''
false\t''"
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand update" -s u -l upload -d 'Allow uploading modules' -r -f -a "true\t''
false\t''"
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand update" -s c -l create-grant -d 'Allow creating grants' -r -f -a "true\t''
false\t''"
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand update" -s D -l delete-grant -d 'Allow deleting grants' -r -f -a "true\t''
false\t''"
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand update" -s r -l role-arn -d 'The IAM role the grant is for (an assumed-role or SSO session ARN is turned into its role)' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand update" -s n -l namespace -d 'The registry namespace' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand update" -l table -d 'The registry\'s DynamoDB table; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand update" -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand update" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand update" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand update" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand update" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand update" -l no-download -d 'Deny downloading modules'
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand update" -l no-upload -d 'Deny uploading modules'
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand update" -l no-create-grant -d 'Deny creating grants'
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand update" -l no-delete-grant -d 'Deny deleting grants'
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand update" -s h -l help -d 'Print help'
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand delete" -s r -l role-arn -d 'The IAM role the grant is for (an assumed-role or SSO session ARN is turned into its role)' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand delete" -s n -l namespace -d 'The registry namespace' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand delete" -l table -d 'The registry\'s DynamoDB table; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand delete" -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand delete" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand delete" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand delete" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand delete" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand delete" -s y -l yes -d 'Do not ask for confirmation'
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand delete" -s h -l help -d 'Print help'
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand get" -s r -l role-arn -d 'The IAM role the grant is for (an assumed-role or SSO session ARN is turned into its role)' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand get" -s n -l namespace -d 'The registry namespace' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand get" -l table -d 'The registry\'s DynamoDB table; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand get" -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand get" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand get" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand get" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand get" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand get" -s h -l help -d 'Print help'
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand list" -l page-size -d 'Items DynamoDB returns per request (every page is read)' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand list" -s r -l role-arn -d 'The IAM role the grant is for (an assumed-role or SSO session ARN is turned into its role)' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand list" -s n -l namespace -d 'The registry namespace' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand list" -l table -d 'The registry\'s DynamoDB table; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand list" -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand list" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand list" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand list" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand list" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand list" -s h -l help -d 'Print help'
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand help; and not __fish_seen_subcommand_from create update delete get list help" -f -a "create" -d 'Create a grant (fails if it exists); unnamed permissions are off'
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand help; and not __fish_seen_subcommand_from create update delete get list help" -f -a "update" -d 'Change the named permissions of an existing grant; the others stay as they are'
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand help; and not __fish_seen_subcommand_from create update delete get list help" -f -a "delete" -d 'Delete a grant (asks on a terminal unless --yes); exits 1 when there was none'
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand help; and not __fish_seen_subcommand_from create update delete get list help" -f -a "get" -d 'Show one grant; exits 1 when there is none'
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand help; and not __fish_seen_subcommand_from create update delete get list help" -f -a "list" -d 'List grants: of --namespace, of --role-arn, or all'
complete -c manage-registry-permissions -n "__fish_manage_registry_permissions_using_subcommand help; and not __fish_seen_subcommand_from create update delete get list help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
