; Inno Setup 6 (6.3 or newer) script for the OneGrid console on Windows x64.
;
;   ISCC.exe packaging\windows\onegrid.iss        (after the PyInstaller build; packaging/README.md)
;
; Packs dist\onegrid\ (the one-folder bundle) into dist\onegrid-<version>-windows-x64-setup.exe.
; The version is the one the spec wrote into the bundle (git describe), so the installer always matches.
; Per-user install by default (no admin rights); "for all users" from the first dialog or /ALLUSERS.
; Uninstalling leaves %LOCALAPPDATA%\OneGrid alone: the local caches' outboxes may hold commands the
; server has not answered yet, and the logs may be wanted by support.
; NOT COMPILED YET: written on Linux without a Windows machine (see packaging/README.md).

#define Root AddBackslash(SourcePath) + "..\.."
#define Bundle Root + "\dist\onegrid"
#define VersionFile Bundle + "\_internal\onegrid_version.txt"
#if !FileExists(VersionFile)
  #error "No bundle at dist\onegrid: run pyinstaller packaging\onegrid.spec first"
#endif
#define VersionHandle FileOpen(VersionFile)
#define AppVersion Trim(FileRead(VersionHandle))
#expr FileClose(VersionHandle)
; VersionInfoVersion needs digits only: the part before "+" (e.g. 1.4.0 of 1.4.0+3.gabc1234).
#define PlusAt Pos("+", AppVersion)
#if PlusAt > 0
  #define NumericVersion Copy(AppVersion, 1, PlusAt - 1)
#else
  #define NumericVersion AppVersion
#endif

[Setup]
AppId={{69806B48-9E49-444A-9DE1-587DABD8D4A1}
AppName=OneGrid
AppVersion={#AppVersion}
AppVerName=OneGrid {#AppVersion}
AppPublisher=OneGrid
VersionInfoVersion={#NumericVersion}
DefaultDirName={autopf}\OneGrid
; Shown before installing; the bundle (and so {app}) also carries LICENSE and THIRD_PARTY_NOTICES.md
LicenseFile={#Bundle}\LICENSE
InfoBeforeFile={#Bundle}\THIRD_PARTY_NOTICES.md
DefaultGroupName=OneGrid
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
SetupIconFile={#Root}\build\pyinstaller\onegrid\icons\onegrid.ico
UninstallDisplayIcon={app}\onegrid.exe
OutputDir={#Root}\dist
OutputBaseFilename=onegrid-{#AppVersion}-windows-x64-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; A running console keeps its files open; ask to close it instead of failing half-way.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
; Chinese Simplified ships with recent Inno Setup releases only (before: Languages\Unofficial, or a
; separate download); the installer is English-only where the compiler lacks it.
#if FileExists(CompilerPath + "Languages\ChineseSimplified.isl")
Name: "zh_CN"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#elif FileExists(CompilerPath + "Languages\Unofficial\ChineseSimplified.isl")
Name: "zh_CN"; MessagesFile: "compiler:Languages\Unofficial\ChineseSimplified.isl"
#endif

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole bundle. An upgrade first removes the old _internal (below), so no stale module of an older
; version is left next to the new ones.
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\OneGrid"; Filename: "{app}\onegrid.exe"; WorkingDir: "{app}"
Name: "{autoprograms}\OneGrid (demo)"; Filename: "{app}\onegrid.exe"; Parameters: "--demo"; WorkingDir: "{app}"
Name: "{autodesktop}\OneGrid"; Filename: "{app}\onegrid.exe"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\onegrid.exe"; Description: "{cm:LaunchProgram,OneGrid}"; Flags: nowait postinstall skipifsilent
