console.log("prodeng")
