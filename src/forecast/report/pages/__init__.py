"""What a page shows: views of the run, HTML pieces, sentences, headline, suggestions, charts, text.

Nothing here executes a notebook or writes a file; :mod:`forecast.report.publish` does.
"""
