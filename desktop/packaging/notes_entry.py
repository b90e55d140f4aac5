"""Entry point of the packaged Notes app (PyInstaller runs this file; see build.sh)."""

from desktop.notes.app import main

if __name__ == "__main__":
    main()
