from modelreg.cli import main

main()
