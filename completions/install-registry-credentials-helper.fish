complete -c install-registry-credentials-helper -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c install-registry-credentials-helper -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c install-registry-credentials-helper -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator) [default: $AWS_ENDPOINT_URL]' -r
complete -c install-registry-credentials-helper -s h -l help -d 'Print help'
complete -c install-registry-credentials-helper -s V -l version -d 'Print version'
