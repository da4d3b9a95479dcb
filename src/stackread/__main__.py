from stackread.cli import main

main()
