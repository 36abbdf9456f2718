@_exported import StagecraftSpec
