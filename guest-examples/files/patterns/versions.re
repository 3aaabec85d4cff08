slots-[0-9]+
# match: slots-42
# match: see slots-7 here
