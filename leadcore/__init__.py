"""leadcore: persistence, dedupe, discovery and every business rule of the leads workspace.

This package never imports Streamlit; the pages, the CLI and the REST API all call it.
"""

__version__ = "0.1.0"
