from stridebeat.cli.app import main

main()
