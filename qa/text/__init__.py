"""The one text layer below retrieval and answering: word tokens, sentences, numbers.

Retrieval, chunking, parsing and answering all import from here, never from each other.
"""
