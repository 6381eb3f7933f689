// Pages work without JavaScript: the menu's folded parts stay open under the "no-js" class, which goes here.
document.documentElement.classList.remove("no-js");
