"""Text people write → safe HTML: the platform's Markdown pipeline (`richtext.rendering`).

Below every domain app: it imports no app of Konvoi, and knows nobody. Mentions are marked as
candidates and resolved against a mapping of handles the caller brings (comments: the people
of a convoy; check-in agendas and notes: nobody).
"""
