complete -c api-key -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c api-key -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c api-key -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator) [default: $AWS_ENDPOINT_URL]' -r
complete -c api-key -s h -l help -d 'Print help'
complete -c api-key -s V -l version -d 'Print version'
