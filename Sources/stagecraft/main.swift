import StagecraftCLI

StagecraftCommand.main()
