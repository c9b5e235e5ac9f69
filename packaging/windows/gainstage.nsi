; The gainstage installer for 64-bit Windows, built on Linux with Debian's makensis by
; packaging/windows/build (which defines VERSION, STAGE and OUTFILE and writes files.nsh).
;
; Installs for every user into Program Files, adds one Start-menu entry and an entry in
; "Apps & features". The uninstaller removes exactly what was installed: the user's settings,
; templates, session logs and takes (%APPDATA%\gainstage, %LOCALAPPDATA%\gainstage) stay.
; Silent use: gainstage-VERSION-windows-x86_64-setup.exe /S [/D=C:\path], uninstall.exe /S.

; A 64-bit installer (Debian's nsis has the amd64 stubs): it runs where gainstage can, and
; under a 64-bit-only Wine; 32-bit Windows refuses it at once.
Target amd64-unicode
!include "MUI2.nsh"

!ifndef VERSION | STAGE | OUTFILE
  !error "build with packaging/windows/build, which defines VERSION, STAGE and OUTFILE"
!endif

!define APP "gainstage"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP}"

Name "${APP} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APP}"
InstallDirRegKey HKLM "${UNINSTALL_KEY}" "InstallLocation"
RequestExecutionLevel admin
SetCompressor /SOLID lzma
VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${APP}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${APP} ${VERSION} installer"
VIAddVersionKey "LegalCopyright" "MIT OR Apache-2.0"

; The installer and uninstaller wear gainstage's icon (the one its exe carries).
!define MUI_ICON "${__FILEDIR__}\gainstage.ico"
!define MUI_UNICON "${__FILEDIR__}\gainstage.ico"
!define MUI_FINISHPAGE_RUN "$INSTDIR\${APP}.exe"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Function .onInit
  ; The Start-menu entry is for every user, as the program is.
  SetShellVarContext all
FunctionEnd

Function un.onInit
  SetShellVarContext all
FunctionEnd

Section "gainstage"
  SetOutPath "$INSTDIR"
  !include "${STAGE}/files.nsh"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortcut "$SMPROGRAMS\${APP}.lnk" "$INSTDIR\${APP}.exe" "" "$INSTDIR\${APP}.exe" 0 \
    SW_SHOWNORMAL "" "Live input monitor for recording sessions"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "${APP}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\${APP}.exe"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "The gainstage authors"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  !include "${STAGE}/unfiles.nsh"
  Delete "$INSTDIR\uninstall.exe"
  Delete "$SMPROGRAMS\${APP}.lnk"
  ; Only if empty: whatever else the user put there stays.
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
SectionEnd
