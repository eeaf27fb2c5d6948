complete -c immukv -l profile -d 'Named profile from the AWS config files [default: $AWS_PROFILE, then "default"]' -r
complete -c immukv -l region -d 'AWS region [default: $AWS_REGION, then the profile\'s region]' -r
complete -c immukv -l endpoint-url -d 'Send AWS API calls to this endpoint (e.g. a local emulator) [default: $AWS_ENDPOINT_URL]' -r
complete -c immukv -s h -l help -d 'Print help'
complete -c immukv -s V -l version -d 'Print version'
