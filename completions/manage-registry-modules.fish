# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_manage_registry_modules_global_optspecs
    string join \n profile= region= endpoint-url= aws-timeout= h/help V/version
end

function __fish_manage_registry_modules_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_manage_registry_modules_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_manage_registry_modules_using_subcommand
    set -l cmd (__fish_manage_registry_modules_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c manage-registry-modules -n "__fish_manage_registry_modules_needs_command" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_needs_command" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_needs_command" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_needs_command" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c manage-registry-modules -n "__fish_manage_registry_modules_needs_command" -s V -l version -d 'Print version'
complete -c manage-registry-modules -n "__fish_manage_registry_modules_needs_command" -f -a "pack" -d 'Make the module\'s reproducible .tar.gz, or list what would go in (--list)'
complete -c manage-registry-modules -n "__fish_manage_registry_modules_needs_command" -f -a "publish" -d 'Publish a module version (or every module a --manifest names) exactly once'
complete -c manage-registry-modules -n "__fish_manage_registry_modules_needs_command" -f -a "versions" -d 'List a module\'s versions, as the registry lists them to Terraform'
complete -c manage-registry-modules -n "__fish_manage_registry_modules_needs_command" -f -a "download" -d 'Fetch a version\'s archive through the registry\'s download URL, as Terraform does, checked against its SHA-256'
complete -c manage-registry-modules -n "__fish_manage_registry_modules_needs_command" -f -a "unpublish" -d 'Remove a version\'s record from the registry\'s table (the API has no route for it); its archive stays unless --delete-object'
complete -c manage-registry-modules -n "__fish_manage_registry_modules_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand pack" -s o -l output -d 'Where to write the archive (`-` for stdout) [default: DIR\'s name .tar.gz here]' -r -F
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand pack" -l exclude -d 'Leave out what matches this pattern (gitignore syntax; repeatable), after .terraformignore\'s rules' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand pack" -l max-size -d 'The largest archive made (S3 takes at most 5 GiB in one upload)' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand pack" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand pack" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand pack" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand pack" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand pack" -l list -d 'Print what would go in, what is left out and by which rule, and the size and SHA-256; write nothing'
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand pack" -s h -l help -d 'Print help'
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand publish" -l manifest -d 'A JSON manifest naming many modules of a tree (docs/registry.md): each is published and reported on its own' -r -F
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand publish" -s r -l registry-host -d 'The registry host (e.g. registry.example.com), or a reference naming it: ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand publish" -l registry-url -d 'Reach the registry at this base URL instead of https://HOST (a tunnel, an API Gateway stage); also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand publish" -l service -d 'The AWS service its tokens are signed for [default: the host\'s, else execute-api]' -r -f -a "execute-api\t'The registry sits behind API Gateway'
lambda\t'The registry is a Lambda function URL'"
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand publish" -l timeout -d 'Give up on the registry (each request) after this many seconds' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand publish" -s n -l namespace -d 'The module\'s namespace (with --manifest: for the modules that name none)' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand publish" -l name -d 'The module\'s name' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand publish" -l system -d 'The module\'s system (e.g. aws)' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand publish" -l version -d 'The version, MAJOR.MINOR.PATCH[-PRE] (a leading v is dropped) (with --manifest: for the modules that name none)' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand publish" -l bucket -d 'The bucket the archive goes into; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand publish" -l key -d 'The object key [default: NAMESPACE/NAME/SYSTEM/<the archive\'s SHA-256>.tar.gz]' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand publish" -l table -d 'Write the record into the registry\'s DynamoDB table (as its own code does) instead of calling its create route (which 0.2.5 fails); also a reference (ssm:..., stack:..., as --bucket)' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand publish" -l output -d 'Output format: one line (or JSON object) per module' -r -f -a "text\t''
json\t''"
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand publish" -l exclude -d 'Leave out what matches this pattern (gitignore syntax; repeatable), after .terraformignore\'s rules' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand publish" -l max-size -d 'The largest archive made (S3 takes at most 5 GiB in one upload)' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand publish" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand publish" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand publish" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand publish" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand publish" -l no-verify -d 'Do not check, after recording, that the registry serves these very bytes'
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand publish" -l dry-run -d 'Print what would be done (files, SHA-256, key, record) and touch nothing'
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand publish" -l path-style -d 'Address the bucket by path (emulators, dotted bucket names)'
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand publish" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand versions" -s r -l registry-host -d 'The registry host (e.g. registry.example.com), or a reference naming it: ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand versions" -l registry-url -d 'Reach the registry at this base URL instead of https://HOST (a tunnel, an API Gateway stage); also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand versions" -l service -d 'The AWS service its tokens are signed for [default: the host\'s, else execute-api]' -r -f -a "execute-api\t'The registry sits behind API Gateway'
lambda\t'The registry is a Lambda function URL'"
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand versions" -l timeout -d 'Give up on the registry (each request) after this many seconds' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand versions" -s n -l namespace -d 'The module\'s namespace' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand versions" -l name -d 'The module\'s name' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand versions" -l system -d 'The module\'s system (Terraform\'s "provider" part of the address, e.g. aws)' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand versions" -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand versions" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand versions" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand versions" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand versions" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand versions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand download" -s r -l registry-host -d 'The registry host (e.g. registry.example.com), or a reference naming it: ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand download" -l registry-url -d 'Reach the registry at this base URL instead of https://HOST (a tunnel, an API Gateway stage); also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand download" -l service -d 'The AWS service its tokens are signed for [default: the host\'s, else execute-api]' -r -f -a "execute-api\t'The registry sits behind API Gateway'
lambda\t'The registry is a Lambda function URL'"
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand download" -l timeout -d 'Give up on the registry (each request) after this many seconds' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand download" -s n -l namespace -d 'The module\'s namespace' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand download" -l name -d 'The module\'s name' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand download" -l system -d 'The module\'s system (Terraform\'s "provider" part of the address, e.g. aws)' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand download" -l version -d 'The version' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand download" -s o -l output -d 'Where to write the archive [default: NAME-VERSION.tar.gz here]' -r -F
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand download" -l extract -d 'Unpack it into this new or empty folder instead (only files and folders, only inside it)' -r -F
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand download" -l table -d 'Check it against the record in the registry\'s table (else against the SHA-256 S3 stores for it); also a reference (ssm:..., stack:..., as --bucket)' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand download" -l max-size -d 'The largest archive fetched or unpacked' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand download" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand download" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand download" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand download" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand download" -l path-style -d 'Address the bucket by path (emulators, dotted bucket names)'
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand download" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand unpublish" -s n -l namespace -d 'The module\'s namespace' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand unpublish" -l name -d 'The module\'s name' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand unpublish" -l system -d 'The module\'s system (Terraform\'s "provider" part of the address, e.g. aws)' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand unpublish" -l version -d 'The version' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand unpublish" -l table -d 'The registry\'s DynamoDB table; also ssm:[REGION:]/NAME, ssm:ARN, stack:[REGION:]STACK/OUTPUT or stack:ARN/OUTPUT' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand unpublish" -s r -l registry-host -d 'The registry host whose settings (profile, region) apply' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand unpublish" -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand unpublish" -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand unpublish" -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator); plain http only to loopback [default: $AWS_ENDPOINT_URL]' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand unpublish" -l aws-timeout -d 'Give up on an AWS call (all its retries included) after this many seconds' -r
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand unpublish" -l delete-object -d 'Delete the archive too (kept when another version\'s record names it)'
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand unpublish" -l path-style -d 'Address the bucket by path (emulators, dotted bucket names)'
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand unpublish" -s h -l help -d 'Print help'
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand help; and not __fish_seen_subcommand_from pack publish versions download unpublish help" -f -a "pack" -d 'Make the module\'s reproducible .tar.gz, or list what would go in (--list)'
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand help; and not __fish_seen_subcommand_from pack publish versions download unpublish help" -f -a "publish" -d 'Publish a module version (or every module a --manifest names) exactly once'
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand help; and not __fish_seen_subcommand_from pack publish versions download unpublish help" -f -a "versions" -d 'List a module\'s versions, as the registry lists them to Terraform'
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand help; and not __fish_seen_subcommand_from pack publish versions download unpublish help" -f -a "download" -d 'Fetch a version\'s archive through the registry\'s download URL, as Terraform does, checked against its SHA-256'
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand help; and not __fish_seen_subcommand_from pack publish versions download unpublish help" -f -a "unpublish" -d 'Remove a version\'s record from the registry\'s table (the API has no route for it); its archive stays unless --delete-object'
complete -c manage-registry-modules -n "__fish_manage_registry_modules_using_subcommand help; and not __fish_seen_subcommand_from pack publish versions download unpublish help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
