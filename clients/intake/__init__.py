"""Medical intake: the health questionnaire, its flags and the clearances of those flags.

``questionnaire`` holds the question types and the rules that turn answers into flags,
``versions`` every questionnaire version ever used (old submissions keep rendering with
their own wording), ``services`` the writes, ``selectors`` the reads that the client page
and the calendar use.
"""
