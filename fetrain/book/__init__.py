"""The book's side: its figure style, tables, figures, and the chapter kit that a chapter is
built with (its parameters, set-up, glue and closing claims).

Figures by topic: :mod:`~fetrain.book.device_figures`, :mod:`~fetrain.book.training_figures`,
:mod:`~fetrain.book.sweep_figures`; tables :mod:`~fetrain.book.tables`; style
:mod:`~fetrain.book.style`; claims :mod:`~fetrain.book.claims`.
"""
